import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts: they override the environment the services read. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'database-url': { type: 'string' },
  'eventstore-connection-string': { type: 'string' },
  'kafka-brokers': { type: 'string' },
  'kafka-topic': { type: 'string' },
  'log-level': { type: 'string' },
} as const satisfies Options;

export const COMMON_OPTIONS_HELP = `Common options (override the environment variables of the same meaning):
  --database-url <url>                   DATABASE_URL: read models (and the PostgreSQL event store)
  --eventstore-connection-string <url>   EVENTSTORE_CONNECTION_STRING: EventStoreDB instead of PostgreSQL
  --kafka-brokers <a,b>                  KAFKA_BROKERS: comma list of brokers
  --kafka-topic <name>                   KAFKA_TOPIC: event topic (default bank.events.v1; DLQ <topic>.dlq)
  --log-level <level>                    LOG_LEVEL: fatal|error|warn|info|debug|trace|silent (logs go to stderr)
  --json                                 machine-readable output on stdout
  -h, --help                             this help`;

export type CommonValues = {
  help?: boolean;
  json?: boolean;
  'database-url'?: string;
  'eventstore-connection-string'?: string;
  'kafka-brokers'?: string;
  'kafka-topic'?: string;
  'log-level'?: string;
};

/**
 * Runs node:util parseArgs (strict: unknown flags fail) and turns its errors into UsageError.
 * Call it as `parseCommandLine(() => parseArgs({ args, options: { ...COMMON_OPTIONS, ... },
 * allowPositionals, strict: true }))` so that the flags' types are inferred at the call site.
 */
export function parseCommandLine<T extends { positionals: string[] }>(
  parse: () => T,
  maxPositionals = 0,
): T {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`,
    );
  }
  return parsed;
}

export function parseBigIntFlag(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value))
    throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

export function parseIntFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
  max = 1_000_000,
): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value))
    throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTimeFlag(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--${name} must be an RFC 3339 instant like 2024-05-01T12:00:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(ms);
}
