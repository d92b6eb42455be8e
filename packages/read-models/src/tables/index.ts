export * from './table.js';
export * from './accounts.js';
export * from './ledger-entries.js';
export * from './holds.js';
export * from './transfers.js';
export * from './transfer-status-history.js';
export * from './daily-balances.js';
export * from './stream-checkpoints.js';
