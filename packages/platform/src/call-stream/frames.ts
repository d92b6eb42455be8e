import * as grpc from '@grpc/grpc-js';

/**
 * The messages of a call stream (commands.proto, CommandCallsService): unary calls of a service carried
 * together on one long-lived bidirectional stream, each with its own id, deadline, metadata,
 * status and trailers.
 */
export interface UnaryCallFrame {
  readonly id: number;
  readonly method: string;
  readonly request: Buffer;
  /** Milliseconds left to the call's deadline when it was sent; 0: none. */
  readonly timeoutMs: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** The client gave up on call `id`: no answer is wanted. */
  readonly cancel: boolean;
}

export interface UnaryResultFrame {
  readonly id: number;
  readonly code: number;
  readonly details: string;
  readonly response: Buffer;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CallBatch {
  readonly calls: UnaryCallFrame[];
}

export interface ResultBatch {
  readonly results: UnaryResultFrame[];
}

/** The RPC of a call stream, as a grpc-js service definition's method. */
export interface CallStreamMethod {
  readonly path: string;
  readonly requestSerialize: (value: CallBatch) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => CallBatch;
  readonly responseSerialize: (value: ResultBatch) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => ResultBatch;
}

/** Metadata as the frames carry it: one string per key (the services set no binary keys). */
export function metadataToRecord(metadata: grpc.Metadata | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!metadata) return record;
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') record[key] = value;
  }
  return record;
}

export function metadataFromRecord(record: Readonly<Record<string, string>>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(record)) metadata.set(key, value);
  return metadata;
}

/** A failed call as grpc-js reports one to a unary call's callback. */
export function serviceError(
  code: grpc.status,
  details: string,
  metadata: grpc.Metadata = new grpc.Metadata(),
): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), {
    code,
    details,
    metadata,
  });
}
