export * from './config.js';
export * from './logger.js';
export * from './metrics.js';
export * from './errors.js';
export * from './grpc.js';
export * from './database.js';
export * from './shutdown.js';
export * from './tracing.js';
