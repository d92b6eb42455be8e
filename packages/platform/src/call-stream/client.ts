import * as grpc from '@grpc/grpc-js';
import {
  metadataFromRecord,
  metadataToRecord,
  serviceError,
  type CallBatch,
  type ResultBatch,
  type UnaryCallFrame,
} from './frames.js';

/** A unary call as a grpc-js client method makes it. */
export type UnaryFn = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => void;

export interface CallStreamClientOptions {
  /** Opens one stream: a grpc-js call of the call-stream RPC (see commands.proto). */
  readonly open: () => grpc.ClientDuplexStream<CallBatch, ResultBatch>;
  /**
   * Streams open at once. A call with a key takes the stream its key hashes to, a call without
   * one takes them in turn. Each new stream is a new call on a round-robin channel, so it lands
   * on the channel's next address.
   */
  readonly streams: number;
  /**
   * A stream older than this takes no new calls and ends once its calls are answered: streams
   * move on to instances that joined since, and away from ones that left.
   */
  readonly maxAgeMs: number;
  /** Each message sent: how many calls (and cancels) travelled in it. */
  readonly onMessage?: (calls: number) => void;
  /** Each stream opened. */
  readonly onOpen?: () => void;
}

/** A request larger than this goes as a plain unary call, never held in a batch. */
const MAX_FRAME_BYTES = 256 * 1024;

interface Pending {
  readonly method: string;
  readonly request: unknown;
  readonly metadata: grpc.Metadata;
  readonly options: grpc.CallOptions;
  readonly callback: (error: grpc.ServiceError | null, response?: unknown) => void;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly unary: UnaryFn;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Unary calls carried on a few long-lived streams (the gateway's hop to the command service).
 * Calls made in the same turn of the event loop go out as one message; each keeps its own
 * deadline (timed here and sent along), metadata, status and trailers, and is answered through
 * the same callback a grpc-js unary method takes, so retries, spans and error mapping around it
 * do not change. A stream that breaks fails its calls with UNAVAILABLE (the caller may retry
 * them); a server without the call-stream RPC gets plain unary calls.
 */
export class CallStreamClient {
  /** One slot per stream; a slot's stream is replaced when it breaks or grows too old. */
  private readonly slots: (CallStream | undefined)[];
  private next = 0;
  private unsupported = false;
  private closed = false;

  constructor(private readonly options: CallStreamClientOptions) {
    this.slots = Array.from({ length: Math.max(1, options.streams) }, () => undefined);
  }

  /**
   * One RPC as a unary function whose calls travel on the streams. `keyOf` names what a call
   * works on: calls with the same key take the same stream while it lives, and so reach the
   * same server in the order they were made.
   */
  method(
    name: string,
    serialize: (value: unknown) => Buffer,
    deserialize: (bytes: Buffer) => unknown,
    unary: UnaryFn,
    keyOf: (request: unknown) => string | undefined = () => undefined,
  ): UnaryFn {
    return (request, metadata, options, callback) => {
      if (this.unsupported || this.closed) return unary(request, metadata, options, callback);
      const bytes = serialize(request);
      if (bytes.length > MAX_FRAME_BYTES) return unary(request, metadata, options, callback);
      const pending: Pending = {
        method: name,
        request,
        metadata,
        options,
        callback,
        deserialize,
        unary,
        timer: undefined,
      };
      this.pick(keyOf(request)).send(pending, bytes);
    };
  }

  close(): void {
    this.closed = true;
    this.slots.forEach((stream, slot) => {
      stream?.retire();
      this.slots[slot] = undefined;
    });
  }

  /** The stream of the key's slot (or of the next slot in turn), opened or renewed as needed. */
  private pick(key: string | undefined): CallStream {
    const now = Date.now();
    this.slots.forEach((stream, i) => {
      if (stream && (stream.broken || now - stream.openedAt >= this.options.maxAgeMs)) {
        stream.retire();
        this.slots[i] = undefined;
      }
    });
    let slot: number;
    if (key === undefined) {
      this.next = (this.next + 1) % this.slots.length;
      slot = this.next;
    } else {
      slot = hashOf(key) % this.slots.length;
    }
    const current = this.slots[slot];
    if (current) return current;
    this.options.onOpen?.();
    const stream = new CallStream(
      this.options.open(),
      (calls, status) => this.onBroken(calls, status),
      this.options.onMessage,
    );
    this.slots[slot] = stream;
    return stream;
  }

  private onBroken(calls: readonly Pending[], status: grpc.StatusObject): void {
    if (status.code === grpc.status.UNIMPLEMENTED) {
      // A server without the call-stream RPC ran none of them: each goes again as a unary call.
      this.unsupported = true;
      for (const call of calls)
        call.unary(call.request, call.metadata, call.options, call.callback);
      return;
    }
    const details = `the stream ended before the call was answered (${status.details})`;
    for (const call of calls) call.callback(serviceError(grpc.status.UNAVAILABLE, details));
  }
}

const MAX_ID = 0xffffffff;

class CallStream {
  readonly openedAt = Date.now();
  broken = false;
  private retiring = false;
  private readonly pending = new Map<number, Pending>();
  private outbox: UnaryCallFrame[] = [];
  private flushScheduled = false;
  private nextId = 1;

  constructor(
    private readonly call: grpc.ClientDuplexStream<CallBatch, ResultBatch>,
    private readonly onBroken: (calls: readonly Pending[], status: grpc.StatusObject) => void,
    private readonly onMessage: ((calls: number) => void) | undefined,
  ) {
    call.on('data', (batch: ResultBatch) => this.receive(batch));
    // Every end of the call, error or not, comes with a status; 'error' is handled there.
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => this.end(status));
  }

  send(pending: Pending, request: Buffer): void {
    const id = this.takeId();
    const deadline = deadlineMs(pending.options.deadline);
    const timeoutMs = deadline === undefined ? 0 : Math.max(1, Math.ceil(deadline - Date.now()));
    if (deadline !== undefined) {
      pending.timer = setTimeout(() => this.expire(id), timeoutMs);
    }
    this.pending.set(id, pending);
    this.queue({
      id,
      method: pending.method,
      request,
      timeoutMs,
      metadata: metadataToRecord(pending.metadata),
      cancel: false,
    });
  }

  /** Takes no new calls; ends once the calls it has are answered. */
  retire(): void {
    this.retiring = true;
    this.endIfIdle();
  }

  private takeId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id === MAX_ID ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private expire(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    this.queue({ id, method: '', request: NO_BYTES, timeoutMs: 0, metadata: {}, cancel: true });
    pending.callback(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
  }

  private queue(frame: UnaryCallFrame): void {
    this.outbox.push(frame);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.broken || this.outbox.length === 0) return;
    const calls = this.outbox;
    this.outbox = [];
    this.call.write({ calls });
    this.onMessage?.(calls.length);
    this.endIfIdle();
  }

  private receive(batch: ResultBatch): void {
    for (const result of batch.results) {
      const pending = this.pending.get(result.id);
      if (!pending) continue; // expired here first
      this.pending.delete(result.id);
      clearTimeout(pending.timer);
      const code = result.code as grpc.status;
      if (code !== grpc.status.OK) {
        const metadata = metadataFromRecord(result.metadata);
        pending.callback(serviceError(code, result.details, metadata));
        continue;
      }
      let response: unknown;
      try {
        response = pending.deserialize(result.response);
      } catch {
        pending.callback(serviceError(grpc.status.INTERNAL, 'Failed to parse response'));
        continue;
      }
      pending.callback(null, response);
    }
    this.endIfIdle();
  }

  private endIfIdle(): void {
    if (this.retiring && !this.broken && this.pending.size === 0 && this.outbox.length === 0) {
      this.broken = true;
      this.call.end();
    }
  }

  private end(status: grpc.StatusObject): void {
    this.broken = true;
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.outbox = [];
    for (const call of calls) clearTimeout(call.timer);
    if (calls.length > 0) this.onBroken(calls, status);
  }
}

const NO_BYTES = Buffer.alloc(0);

/** FNV-1a of the key's UTF-16 code units: cheap, and spreads similar ids over the slots. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function deadlineMs(deadline: grpc.Deadline | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
