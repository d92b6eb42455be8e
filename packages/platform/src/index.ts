export * from './core.js';
export * from './metrics.js';
export * from './grpc.js';
export * from './tracing.js';
export * from './registration.js';
export * from './auth/index.js';
export * from './tls.js';
export * from './run-service.js';
