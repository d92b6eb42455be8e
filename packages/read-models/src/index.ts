export * from './migrations.js';
export * from './projection/index.js';
export * from './swap-lock.js';
export * from './view-tables.js';
