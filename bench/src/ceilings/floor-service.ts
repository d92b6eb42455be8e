import type * as grpc from '@grpc/grpc-js';

/** The row the floor inserts: the same event-shaped row as the PostgreSQL ceiling's. */
export type { EventShapedRow as FloorRow } from './event-row.js';

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): never => JSON.parse(bytes.toString('utf8')) as never,
};

/** One unary method, JSON on the wire: the hop's cost without any schema work. */
export const FLOOR_SERVICE = {
  insert: {
    path: '/bench.Floor/Insert',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;
