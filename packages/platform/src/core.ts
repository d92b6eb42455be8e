/**
 * The part of the platform without servers and their heavy libraries (gRPC, OpenTelemetry,
 * prom-client): configuration, logging, errors, PostgreSQL helpers, batching. Tools that only
 * need these (the `bank` CLI, the read-model library) import `@bank/platform/core` and start
 * in half the time; services import `@bank/platform`, which is this plus the rest.
 */
export * from './config.js';
export * from './logger.js';
export * from './errors.js';
export * from './database.js';
export * from './shutdown.js';
export * from './batcher.js';
export * from './name-uuid.js';
export * from './connections.js';
export * from './pg-errors.js';
export * from './listen-client.js';
export * from './deadline.js';
export * from './request-fields.js';
