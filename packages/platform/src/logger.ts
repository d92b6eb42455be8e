import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line (a value is replaced by `[redacted]`). */
export const REDACTED_PATHS = [
  // HTTP and gRPC credentials, wherever a request or its headers get logged.
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'metadata.authorization',
  'authorization',
  '*.authorization',
  // Tokens, secrets and keys by name, at the top level or one object down.
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'jwtSecret',
  '*.jwtSecret',
  'apiKey',
  '*.apiKey',
  'privateKey',
  '*.privateKey',
  'pem',
  '*.pem',
  'jwks',
  '*.jwks',
];

/** Connection strings keep their host and database in logs; only the password is masked. */
export const MASKED_URL_PATHS = [
  'databaseUrl',
  '*.databaseUrl',
  'eventStoreConnectionString',
  '*.eventStoreConnectionString',
];

const CENSOR = '[redacted]';
const URL_KEYS: ReadonlySet<string> = new Set(['databaseUrl', 'eventStoreConnectionString']);

/** A URL with its password masked; anything that is not a URL is redacted whole. */
export function maskUrlPassword(value: unknown): string {
  if (typeof value !== 'string') return CENSOR;
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return CENSOR;
  }
}

export interface LoggerOptions {
  readonly service: string;
  readonly level: LogLevel;
  /** The service's package version; `serviceVersion(import.meta.url)` finds it. */
  readonly version?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: pino.DestinationStream;
  /** Human-readable lines through pino-pretty instead of JSON (see `wantsPrettyLogs`). */
  readonly pretty?: boolean;
}

/**
 * pino-pretty only for a person at a terminal in development: JSON everywhere else, so a log
 * shipper never has to parse colours.
 */
export function wantsPrettyLogs(
  nodeEnv: string | undefined,
  stdout: { readonly isTTY?: boolean } = process.stdout,
): boolean {
  return stdout.isTTY === true && nodeEnv !== 'production';
}

/** pino JSON logs carrying service, version and instance on every line; secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty === true && options.destination === undefined;
  return pino(
    {
      level: options.level,
      base: {
        service: options.service,
        version: options.version ?? '0.1.0',
        instance: `${hostname()}:${process.pid}`,
      },
      redact: {
        paths: [...REDACTED_PATHS, ...MASKED_URL_PATHS],
        censor: (value, path) =>
          URL_KEYS.has(String(path.at(-1))) ? maskUrlPassword(value) : CENSOR,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino-pretty reads numeric levels; JSON consumers get the label.
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,instance,version' },
            },
          }
        : { formatters: { level: (label: string) => ({ level: label }) } }),
    },
    pretty ? undefined : options.destination,
  );
}

/** The `version` of the package.json nearest above a module (pass `import.meta.url`). */
export function serviceVersion(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        version?: unknown;
      };
      if (typeof parsed.version === 'string') return parsed.version;
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
