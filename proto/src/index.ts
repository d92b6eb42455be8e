import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as CommandsGrpc } from './gen/commands.js';
import type { ProtoGrpcType as QueriesGrpc } from './gen/queries.js';

/** Folder holding the .proto files (bank/v1/*.proto). */
export const PROTO_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Loader options shared by every client and server: 64-bit integers as strings so that no
 * counter passes through a JavaScript number, defaults filled in, field names camelCased.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

function load<T>(file: string): T {
  const definition = protoLoader.loadSync(file, LOADER_OPTIONS);
  return grpc.loadPackageDefinition(definition) as unknown as T;
}

let commands: CommandsGrpc | undefined;
let queries: QueriesGrpc | undefined;

export function commandsPackage(): CommandsGrpc['bank']['v1'] {
  commands ??= load<CommandsGrpc>('bank/v1/commands.proto');
  return commands.bank.v1;
}

export function queriesPackage(): QueriesGrpc['bank']['v1'] {
  queries ??= load<QueriesGrpc>('bank/v1/queries.proto');
  return queries.bank.v1;
}

export type * as commandTypes from './types/commands.js';
export type * as queryTypes from './types/queries.js';
