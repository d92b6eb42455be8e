/**
 * Environment parsing. Each service declares its variables once, parses them at start-up and
 * passes the typed result down; nothing else reads process.env. All problems are reported
 * together, so an operator fixes a broken deployment in one go.
 */

import { readRegistrySecurity, type RegistrySecurity } from './connections.js';

export class ConfigError extends Error {
  readonly type = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env = process.env) {}

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^-?[0-9]+$/.test(raw)) {
      this.problems.push(`${name} must be an integer, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      this.problems.push(`${name} must be between ${min} and ${max}, got ${value}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(
        `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`,
      );
      return fallback;
    }
    return raw as T;
  }

  list(name: string): string[] {
    const raw = this.string(name);
    if (raw === undefined) return [];
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** An optional URL with one of `schemes` (http or https unless told). */
  url(name: string, schemes: readonly string[] = ['http', 'https']): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      if (schemes.includes(new URL(raw).protocol.slice(0, -1))) return raw;
    } catch {
      // reported below
    }
    const allowed = schemes.map((scheme) => `${scheme}://`).join(' or ');
    this.problems.push(`${name} must be a ${allowed} URL, got ${JSON.stringify(raw)}`);
    return undefined;
  }

  /** Records a problem found by a check beyond a single variable's type (reported by done). */
  report(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws a ConfigError naming every problem seen so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Logging and tracing: every service, the gateway included, reads these the same way. */
export interface TelemetryConfig {
  readonly logLevel: LogLevel;
  /** NODE_ENV (default `development`): `production` never pretty-prints logs, even on a terminal. */
  readonly nodeEnv?: string | undefined;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT: base URL of an OTLP/HTTP collector (spans go to `<url>/v1/traces`).
   * Unset: tracing is off and costs nothing.
   */
  readonly otlpEndpoint?: string | undefined;
}

export function readTelemetryConfig(env: EnvReader): TelemetryConfig {
  return {
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    nodeEnv: env.string('NODE_ENV', 'development'),
    otlpEndpoint: env.url('OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
}

/** Where the service registry (etcd) is; see registry/registry.ts. */
export interface RegistryConfig {
  /** etcd client endpoints (host:port or http://host:port). */
  readonly endpoints: readonly string[];
  /** Seconds an instance stays listed after its last keep-alive. */
  readonly leaseTtlSeconds: number;
  /** REGISTRY_TLS_* and REGISTRY_USERNAME / REGISTRY_PASSWORD (see connections.ts). */
  readonly security?: RegistrySecurity;
}

/**
 * REGISTRY_ENDPOINTS (comma list of etcd endpoints; unset: no registry, fixed addresses) and
 * REGISTRY_LEASE_TTL_SECONDS (default 5), with its TLS and credentials.
 */
export function readRegistryConfig(env: EnvReader): RegistryConfig | undefined {
  const endpoints = env.list('REGISTRY_ENDPOINTS');
  const leaseTtlSeconds = env.int('REGISTRY_LEASE_TTL_SECONDS', 5, { min: 2, max: 300 });
  const security = readRegistrySecurity(env);
  return endpoints.length > 0 ? { endpoints, leaseTtlSeconds, security } : undefined;
}

/** Settings every service shares. */
export interface CommonConfig extends TelemetryConfig {
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** The service registry this instance registers in; undefined: none. */
  readonly registry?: RegistryConfig | undefined;
  /**
   * REGISTRY_ADVERTISE_HOST: the host other processes reach this instance at, written into the
   * registry (default: the listen host, or this machine's hostname when listening on all
   * interfaces).
   */
  readonly advertiseHost?: string | undefined;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function readCommonConfig(env: EnvReader): CommonConfig {
  return {
    ...readTelemetryConfig(env),
    databaseUrl: env.string('DATABASE_URL', DEFAULT_DATABASE_URL),
    databasePoolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
    metricsPort: env.int('METRICS_PORT', 9464, { min: 0, max: 65535 }),
    metricsHost: env.string('METRICS_HOST', '127.0.0.1'),
    registry: readRegistryConfig(env),
    advertiseHost: env.string('REGISTRY_ADVERTISE_HOST'),
  };
}
