export * from './money.js';
export * from './events.js';
export * from './codec.js';
export * from './decision.js';
export * from './account.js';
export * from './transfer.js';
export * from './transfer-batch.js';
export * from './reversal.js';
