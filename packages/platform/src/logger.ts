import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Paths never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  'secret',
  '*.token',
  '*.password',
  '*.secret',
  'jwtSecret',
  '*.jwtSecret',
];

export interface LoggerOptions {
  readonly service: string;
  readonly level: LogLevel;
  readonly version?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: pino.DestinationStream;
}

/** pino JSON logs carrying service, version and instance on every line. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: {
        service: options.service,
        version: options.version ?? '0.1.0',
        instance: `${hostname()}:${process.pid}`,
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
