import { createEventStore, type EventStore } from '@bank/event-store';
import { createLogger, type Logger } from '@bank/platform/core';
import type { Kafka } from 'kafkajs';
import knexFactory, { type Knex } from 'knex';
import { UnreachableError, UsageError } from './cli/exit-codes.js';
import type { OpsConfig } from './config.js';
import { redactUrl as redact } from './stack-state.js';

/**
 * The stores a command uses, opened on first use and closed together at the end. Logs go to
 * stderr so that stdout stays clean for NDJSON and --json output.
 */
export class OpsContext {
  readonly logger: Logger;
  private knexInstance: Knex | undefined;
  private eventStore: EventStore | undefined;
  private kafkaClient: Kafka | undefined;
  private targetShown = false;

  constructor(readonly config: OpsConfig) {
    this.logger = createLogger({
      service: 'bank-ops',
      level: config.logLevel,
      destination: process.stderr,
    });
  }

  /** Says once, on stderr, which database the command acts on and where that came from. */
  private showTarget(): void {
    if (this.targetShown) return;
    this.targetShown = true;
    process.stderr.write(
      `bank: database ${redact(this.config.databaseUrl)} (${this.config.databaseSource})\n`,
    );
  }

  /** Read models, through the connection's search_path. */
  async db(): Promise<Knex> {
    this.showTarget();
    if (!this.knexInstance) {
      // As the services' createKnex, but knex's own console logging goes through pino (stderr).
      const log = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
        this.logger[level]({ component: 'knex' }, String(message));
      const knex = knexFactory({
        client: 'pg',
        connection: this.config.databaseUrl,
        pool: { min: 0, max: 4 },
        log: {
          warn: log('debug'),
          error: log('debug'),
          deprecate: log('debug'),
          debug: log('debug'),
        },
      });
      this.knexInstance = knex;
      try {
        await knex.raw('SELECT 1');
      } catch (error) {
        throw new UnreachableError(
          `PostgreSQL is unreachable at ${redact(this.config.databaseUrl)}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
    return this.knexInstance;
  }

  async events(): Promise<EventStore> {
    this.showTarget();
    if (!this.eventStore) {
      try {
        this.eventStore = await createEventStore({
          eventStoreConnectionString: this.config.eventStoreConnectionString,
          databaseUrl: this.config.databaseUrl,
          migrate: false,
        });
        await this.eventStore.headPosition();
      } catch (error) {
        const where = this.config.eventStoreConnectionString
          ? 'EventStoreDB'
          : `PostgreSQL at ${redact(this.config.databaseUrl)}`;
        throw new UnreachableError(
          `the event store (${where}) is unreachable: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    return this.eventStore;
  }

  /**
   * Refuses a command that changes the read models (`what`, e.g. "rebuild") when the database
   * is not a bank's: no event store (the PostgreSQL store's `events` table; with EventStoreDB,
   * at least migrated read models) in the connection's schema. A wrong DATABASE_URL then
   * changes nothing.
   */
  async requireEventStore(what: string): Promise<void> {
    const db = await this.db();
    const table = this.config.eventStoreConnectionString ? 'projection_checkpoints' : 'events';
    const { rows } = await db.raw<{ rows: Array<{ found: boolean; schema: string }> }>(
      'SELECT to_regclass(?) IS NOT NULL AS found, current_schema() AS schema',
      [table],
    );
    const found = rows[0];
    if (found?.found) return;
    throw new UsageError(
      `refusing to ${what}: the database ${redact(this.config.databaseUrl)} ` +
        `holds no event store (no table "${table}" in schema ${found?.schema ?? '(none)'}). ` +
        'Point DATABASE_URL (or --database-url) at the bank, or start it with npm start.',
    );
  }

  kafkaConfigured(): boolean {
    return this.config.kafkaBrokers.length > 0;
  }

  /** The Kafka client; kafkajs is loaded on first use (most commands never touch Kafka). */
  async kafka(): Promise<Kafka> {
    if (!this.kafkaConfigured())
      throw new UsageError('Kafka is not configured: set KAFKA_BROKERS or pass --kafka-brokers');
    const { Kafka, logLevel: kafkaLogLevel } = await import('kafkajs');
    this.kafkaClient ??= new Kafka({
      clientId: 'bank-ops',
      brokers: [...this.config.kafkaBrokers],
      ...this.config.kafkaSecurity,
      logLevel: kafkaLogLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 3 },
    });
    return this.kafkaClient;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.knexInstance?.destroy(), this.eventStore?.close()]);
  }
}
