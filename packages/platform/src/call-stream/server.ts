import * as grpc from '@grpc/grpc-js';
import {
  metadataFromRecord,
  metadataToRecord,
  type CallBatch,
  type ResultBatch,
  type UnaryCallFrame,
  type UnaryResultFrame,
} from './frames.js';

type AnyUnaryHandler = grpc.handleUnaryCall<unknown, unknown>;
type Duplex = grpc.ServerDuplexStream<CallBatch, ResultBatch>;

/**
 * Serves a service's unary handlers on call streams: each call on a stream is run by the unary
 * handler of its method with the call's own metadata and deadline, exactly as the unary RPC
 * would be, and its answer goes back with the answers that are ready in the same turn of the
 * event loop. `drain()` (shutdown) answers new calls UNAVAILABLE and ends each stream once its
 * calls are answered, so clients take their next calls elsewhere.
 */
export class CallStreamServer {
  private readonly sessions = new Set<StreamSession>();
  private draining = false;

  constructor(
    private readonly definition: grpc.ServiceDefinition,
    private readonly handlers: grpc.UntypedServiceImplementation,
  ) {}

  /** The bidirectional handler of the call-stream RPC. */
  readonly handle: grpc.handleBidiStreamingCall<CallBatch, ResultBatch> = (stream) => {
    const session = new StreamSession(stream, this.definition, this.handlers, () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    if (this.draining) session.drain();
  };

  drain(): void {
    this.draining = true;
    for (const session of this.sessions) session.drain();
  }
}

const NO_BYTES = Buffer.alloc(0);

class StreamSession {
  /** Calls running, by id; each one's deadline timer. */
  private readonly running = new Map<number, NodeJS.Timeout | undefined>();
  private outbox: UnaryResultFrame[] = [];
  private flushScheduled = false;
  private draining = false;
  private clientDone = false;
  private closed = false;

  constructor(
    private readonly stream: Duplex,
    private readonly definition: grpc.ServiceDefinition,
    private readonly handlers: grpc.UntypedServiceImplementation,
    private readonly onClose: () => void,
  ) {
    stream.on('data', (batch: CallBatch) => {
      // Calls that arrive after the stream ended are never run: the client fails them UNAVAILABLE.
      if (this.closed) return;
      for (const call of batch.calls) this.receive(call);
    });
    stream.on('end', () => {
      this.clientDone = true;
      this.endIfIdle();
    });
    stream.on('cancelled', () => this.close());
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
  }

  drain(): void {
    this.draining = true;
    this.endIfIdle();
  }

  private receive(call: UnaryCallFrame): void {
    if (call.cancel) {
      // The client has given up: the handler runs on (as a unary handler does when its call is
      // cancelled), its answer is dropped.
      clearTimeout(this.running.get(call.id));
      this.running.delete(call.id);
      return;
    }
    // An id that is already running is a client's bug; the first call keeps it.
    if (this.running.has(call.id)) return;
    if (this.draining) {
      return this.answerNow(call.id, grpc.status.UNAVAILABLE, 'the server is shutting down');
    }
    const method = this.definition[call.method];
    const implementation = this.handlers[call.method];
    if (!method || !implementation || method.requestStream || method.responseStream) {
      return this.answerNow(call.id, grpc.status.UNIMPLEMENTED, `no unary method ${call.method}`);
    }
    const handler = implementation as AnyUnaryHandler;
    let request: unknown;
    try {
      request = method.requestDeserialize(call.request);
    } catch {
      return this.answerNow(call.id, grpc.status.INTERNAL, 'Failed to parse request');
    }
    const deadline = call.timeoutMs > 0 ? Date.now() + call.timeoutMs : Infinity;
    const timer =
      call.timeoutMs > 0
        ? setTimeout(
            () => this.answer(call.id, grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
            call.timeoutMs,
          )
        : undefined;
    this.running.set(call.id, timer);
    const unaryCall = {
      request,
      metadata: metadataFromRecord(call.metadata),
      getDeadline: () => deadline,
      getPeer: () => this.stream.getPeer(),
      cancelled: false,
    } as unknown as grpc.ServerUnaryCall<unknown, unknown>;
    handler(unaryCall, (error, value) => {
      if (error) {
        const status = error as Partial<grpc.StatusObject>;
        return this.answer(
          call.id,
          status.code ?? grpc.status.UNKNOWN,
          status.details ?? (error as Partial<Error>).message ?? '',
          NO_BYTES,
          metadataToRecord(status.metadata),
        );
      }
      let response: Buffer;
      try {
        response = method.responseSerialize(value);
      } catch {
        return this.answer(call.id, grpc.status.INTERNAL, 'Failed to serialize response');
      }
      this.answer(call.id, grpc.status.OK, '', response);
    });
  }

  /** An answer for a call that never started running. */
  private answerNow(id: number, code: grpc.status, details: string): void {
    this.running.set(id, undefined);
    this.answer(id, code, details);
  }

  private answer(
    id: number,
    code: grpc.status,
    details: string,
    response: Buffer = NO_BYTES,
    metadata: Record<string, string> = {},
  ): void {
    if (!this.running.has(id)) return; // cancelled, or already answered at its deadline
    clearTimeout(this.running.get(id));
    this.running.delete(id);
    if (this.closed) return;
    this.outbox.push({ id, code, details, response, metadata });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.outbox.length === 0) return;
    const results = this.outbox;
    this.outbox = [];
    this.stream.write({ results });
    this.endIfIdle();
  }

  private endIfIdle(): void {
    if (this.closed || this.running.size > 0 || this.outbox.length > 0) return;
    if (!this.draining && !this.clientDone) return;
    this.closed = true;
    this.stream.end();
    this.onClose();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.running.values()) clearTimeout(timer);
    this.running.clear();
    this.outbox = [];
    this.onClose();
  }
}
