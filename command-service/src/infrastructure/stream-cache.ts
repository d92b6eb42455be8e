import type { BankEvent } from '@bank/domain';
import type { EventStore } from '@bank/event-store';
import type { StreamKind } from './stream-kind.js';
import { decodeStored, loadStream, type LoadedStream } from './stream-loader.js';

interface CommandMark {
  readonly revision: bigint;
  readonly position: bigint;
  readonly eventId: string;
}

interface Entry {
  state: unknown;
  revision: bigint | undefined;
  position: bigint;
  lastEventId: string | undefined;
  /**
   * Every command id seen on the stream: the idempotency index. Ids only (a repeat is answered by
   * folding the stream again, see load), so each costs the cache no more than its string.
   */
  readonly commands: Set<string>;
}

/** How many folded streams a cache keeps by default (COMMAND_CACHE_STREAMS). */
export const DEFAULT_CACHED_STREAMS = 100_000;

/** Where a load found its stream (see the command_service_stream_loads_total metric). */
export type LoadSource = 'cache' | 'tail' | 'store';

/**
 * Folded streams kept in memory, so a command reads only the events appended since it last
 * looked instead of the whole stream (folding a busy account from scratch each time made the
 * service CPU-bound). Correct with other instances writing too: streams are append-only, so the
 * cache is always a prefix of the stream and every load reads the tail after it. Callers use it
 * only under the stream's mutex. Least recently used streams are dropped beyond `maxStreams`.
 */
export class StreamCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: EventStore,
    private readonly maxStreams = DEFAULT_CACHED_STREAMS,
    private readonly onLoad: (source: LoadSource) => void = () => undefined,
  ) {}

  /**
   * The stream's state. By default the tail after the cached prefix is read from the store, so
   * the answer is current. With `trustCache`, the store is not asked (`verified: false`): a
   * cached stream is answered from memory, an uncached one as empty (a stream about to be
   * created, say a new transfer). The caller must check whatever it decides on that, which an
   * append at the expected revision does by itself (see CommandHandler).
   */
  async load<S, E extends BankEvent>(
    streamId: string,
    kind: StreamKind<S, E>,
    commandId?: string,
    options: { readonly trustCache?: boolean } = {},
  ): Promise<LoadedStream<S> & { readonly verified: boolean }> {
    const cached = this.entries.get(streamId);
    if (options.trustCache && cached) {
      this.onLoad('cache');
      this.remember(streamId, cached);
      return {
        state: cached.state as S,
        revision: cached.revision,
        position: cached.position,
        lastEventId: cached.lastEventId,
        earlier:
          commandId !== undefined && cached.commands.has(commandId)
            ? (await loadStream(this.store, streamId, kind, commandId)).earlier
            : undefined,
        verified: false,
      };
    }
    if (options.trustCache) {
      return {
        state: kind.initialState,
        revision: undefined,
        position: 0n,
        lastEventId: undefined,
        earlier: undefined,
        verified: false,
      };
    }
    this.onLoad(cached ? 'tail' : 'store');
    const entry: Entry = cached ?? {
      state: kind.initialState,
      revision: undefined,
      position: 0n,
      lastEventId: undefined,
      commands: new Set(),
    };
    const tail = await this.store.readStream(streamId, {
      fromRevision: entry.revision === undefined ? 0n : entry.revision + 1n,
    });
    let state = entry.state as S;
    for (const stored of tail) {
      const event = decodeStored(stored);
      if (!kind.accepts(event)) {
        throw new Error(`${stored.type} does not belong on ${kind.name} stream ${streamId}`);
      }
      state = kind.evolve(state, event);
      const command = stored.metadata['commandId'];
      if (typeof command === 'string') {
        entry.commands.add(command);
      }
      entry.revision = stored.revision;
      entry.position = stored.position;
      entry.lastEventId = stored.eventId;
    }
    entry.state = state;
    this.remember(streamId, entry);

    // A repeated command is rare: only then fold again from the start to rebuild its first result.
    const earlier =
      commandId !== undefined && entry.commands.has(commandId)
        ? (await loadStream(this.store, streamId, kind, commandId)).earlier
        : undefined;
    return {
      state,
      revision: entry.revision,
      position: entry.position,
      lastEventId: entry.lastEventId,
      earlier,
      verified: true,
    };
  }

  /** Records what this process just appended, so the next command need not read it back. */
  appended(
    streamId: string,
    state: unknown,
    commandId: string,
    mark: CommandMark & { readonly created: boolean },
  ): void {
    let entry = this.entries.get(streamId);
    if (!entry) {
      // Unknown here unless this append created the stream: then its events are all it holds.
      if (!mark.created) return;
      entry = {
        state,
        revision: undefined,
        position: 0n,
        lastEventId: undefined,
        commands: new Set(),
      };
      this.remember(streamId, entry);
    }
    entry.state = state;
    entry.revision = mark.revision;
    entry.position = mark.position;
    entry.lastEventId = mark.eventId;
    entry.commands.add(commandId);
  }

  private remember(streamId: string, entry: Entry): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxStreams) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
