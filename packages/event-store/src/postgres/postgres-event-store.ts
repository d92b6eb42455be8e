import type pg from 'pg';
import type {
  AppendOptions,
  AppendResult,
  CommandOutcome,
  CommandOutcomeKey,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  MultiStreamAppendResult,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { EventAppender } from './append.js';
import { translateInfrastructureError } from './errors.js';
import { AppendNotifier } from './notifier.js';
import { OutcomeRecords } from './outcomes.js';
import { StorePool } from './pool.js';
import { EventReader } from './read.js';
import { migrateEventTable, parseTableName, type TableName } from './schema.js';
import { Subscriptions } from './subscribe.js';

export interface PostgresEventStoreOptions {
  /** `[schema.]table`; default `events`, resolved through the connection's search_path. */
  readonly table?: string;
  /**
   * NOTIFY channel that wakes subscriptions. Stores on different tables may share it: a
   * foreign notification only causes one extra read.
   */
  readonly notifyChannel?: string;
  /** Subscriptions re-read at least this often even without a notification. */
  readonly pollIntervalMs?: number;
  /** Events a subscription reads per query. */
  readonly subscriptionPageSize?: number;
  /** Called when the LISTEN connection fails; subscriptions keep working by polling. */
  readonly onListenError?: (error: unknown) => void;
}

/**
 * The PostgreSQL event store: one append-only table, a global position from a sequence,
 * optimistic concurrency on the stream revision, LISTEN/NOTIFY to wake subscriptions.
 *
 * Every append goes through the append functions (schema.ts), whose lock protocol is what makes
 * the global order safe to follow; nothing may insert into the table any other way. Each
 * operation has a module of its own (append.ts, read.ts, subscribe.ts); this class wires them
 * to one pool and one LISTEN connection.
 */
export class PostgresEventStore implements EventStore {
  readonly table: TableName;
  private readonly db: StorePool;
  private readonly channel: string;
  private readonly notifier: AppendNotifier;
  private readonly appender: EventAppender;
  private readonly reader: EventReader;
  private readonly subscriptions: Subscriptions;
  private readonly outcomes: OutcomeRecords;

  constructor(
    connection: pg.Pool | pg.PoolConfig | string,
    tableOrOptions: string | PostgresEventStoreOptions = {},
  ) {
    const options: PostgresEventStoreOptions =
      typeof tableOrOptions === 'string' ? { table: tableOrOptions } : tableOrOptions;
    this.table = parseTableName(options.table ?? 'events');
    this.channel = options.notifyChannel ?? 'event_store_appended';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.channel)) {
      throw new Error(`invalid notify channel "${this.channel}"`);
    }
    this.db = new StorePool(connection);
    this.notifier = new AppendNotifier(this.db.listenConfig, this.channel, options.onListenError);
    this.appender = new EventAppender(this.db, this.table, this.channel);
    this.reader = new EventReader(this.db, this.table);
    this.outcomes = new OutcomeRecords(this.db, this.table);
    this.subscriptions = new Subscriptions({
      db: this.db,
      reader: this.reader,
      notifier: this.notifier,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      pageSize: options.subscriptionPageSize ?? 500,
    });
  }

  /** Creates the table, sequence and indexes if missing (idempotent, safe to run concurrently). */
  async migrate(): Promise<void> {
    try {
      await migrateEventTable(this.db.pool, this.table);
    } catch (error) {
      throw translateInfrastructureError(error);
    }
  }

  /** Atomic multi-stream appends share the group commit of single appends (see append.ts). */
  readonly supportsMultiStreamAppend = true;

  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return this.appender.append(streamId, events, expected, options);
  }

  appendToStreams(
    appends: readonly StreamAppend[],
    options?: AppendOptions,
  ): Promise<MultiStreamAppendResult> {
    return this.appender.appendToStreams(appends, options);
  }

  recordRefusal(
    outcome: CommandOutcomeKey & { readonly refusal: JsonObject },
  ): Promise<{ readonly first: CommandOutcome; readonly recorded: boolean }> {
    return this.outcomes.recordRefusal(outcome);
  }

  readOutcome(commandId: string): Promise<CommandOutcome | undefined> {
    return this.outcomes.readOutcome(commandId);
  }

  purgeOutcomes(before: Date): Promise<number> {
    return this.outcomes.purge(before);
  }

  /** Appends inside the caller's open transaction on `client` (see EventAppender). */
  appendInTransaction(
    client: pg.ClientBase,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return this.appender.appendInTransaction(client, streamId, events, expected);
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.reader.readStream(streamId, options);
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.reader.readAll(options);
  }

  countEvents(options: Omit<ReadAllOptions, 'maxCount'>): Promise<number> {
    return this.reader.countEvents(options);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    return this.subscriptions.subscribeToAll(options);
  }

  headPosition(): Promise<bigint> {
    return this.reader.headPosition();
  }

  async close(): Promise<void> {
    if (this.db.isClosed) return;
    this.db.close();
    await this.subscriptions.closeAll();
    await this.notifier.close();
    await this.db.end();
  }
}
