import { EnvReader, readGrpcServiceConfig, type GrpcServiceConfig } from '@bank/platform';
import type { TransferLegKind } from '@bank/domain';
import { DEFAULT_CACHED_STREAMS } from './infrastructure/stream-cache.js';

export interface CommandServiceConfig extends GrpcServiceConfig {
  /** EventStoreDB connection string; the PostgreSQL event store at DATABASE_URL when unset. */
  readonly eventStoreConnectionString: string | undefined;
  /**
   * `auto`: transfers go in one atomic multi-stream append where the store offers it; `off`: the
   * store is used as if it had none (transfers through the process manager and recovery worker).
   */
  readonly multiStreamAppend: 'auto' | 'off';
  /** Reloads after a concurrency conflict before answering ABORTED. */
  readonly commandMaxRetries: number;
  /** Folded streams kept in memory (StreamCache), least recently used dropped beyond it. */
  readonly commandCacheStreams: number;
  readonly transferRecoveryIntervalMs: number;
  /** How often holds past their expiresAt are released. */
  readonly holdExpiryIntervalMs: number;
  /** The recovery worker leaves younger transfers to the request still driving them. */
  readonly transferRecoveryMinAgeMs: number;
  /** How long SIGTERM waits for in-flight calls before cutting them off. */
  readonly shutdownGraceMs: number;
  /** Client commands' first outcomes (the Idempotency-Key's answers) are kept this long. */
  readonly idempotencyRetentionHours: number;
  /**
   * Test-only: the process kills itself (SIGKILL) right after appending this leg of a transfer,
   * so crash tests can leave a transfer half-done. Never set in production.
   */
  readonly crashAfterTransferLeg: TransferLegKind | undefined;
}

/** Reads and validates every variable at once; throws a ConfigError listing all problems. */
export function readConfig(env: EnvReader = new EnvReader()): CommandServiceConfig {
  const crash = env.oneOf(
    'COMMAND_SERVICE_TEST_CRASH_AFTER_LEG',
    ['none', 'debit', 'credit', 'refund'],
    'none',
  );
  const config: CommandServiceConfig = {
    ...readGrpcServiceConfig(env, 50051),
    eventStoreConnectionString: env.string('EVENTSTORE_CONNECTION_STRING'),
    multiStreamAppend: env.oneOf('EVENT_STORE_MULTI_STREAM_APPEND', ['auto', 'off'], 'auto'),
    commandMaxRetries: env.int('COMMAND_MAX_RETRIES', 5, { min: 0, max: 100 }),
    commandCacheStreams: env.int('COMMAND_CACHE_STREAMS', DEFAULT_CACHED_STREAMS, {
      min: 1,
      max: 10_000_000,
    }),
    transferRecoveryIntervalMs: env.int('TRANSFER_RECOVERY_INTERVAL_MS', 5000, {
      min: 10,
      max: 3_600_000,
    }),
    transferRecoveryMinAgeMs: env.int('TRANSFER_RECOVERY_MIN_AGE_MS', 2000, {
      min: 0,
      max: 3_600_000,
    }),
    holdExpiryIntervalMs: env.int('HOLD_EXPIRY_INTERVAL_MS', 5000, { min: 10, max: 3_600_000 }),
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 }),
    idempotencyRetentionHours: env.int('IDEMPOTENCY_RETENTION_HOURS', 24, {
      min: 24,
      max: 24 * 90,
    }),
    crashAfterTransferLeg: crash === 'none' ? undefined : crash,
  };
  env.done();
  return config;
}
