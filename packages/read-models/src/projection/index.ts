export * from './errors.js';
export * from './projection-event.js';
export * from './fold.js';
export * from './load.js';
export * from './apply-events.js';
export * from './checkpoints.js';
export * from './dead-letters.js';
export { runStatements, type SqlStatement } from './sql-json.js';
