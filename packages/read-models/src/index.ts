export * from './implied-views.js';
export * from './migrations.js';
export * from './projection/index.js';
export * from './swap-lock.js';
export * from './tables/index.js';
export * from './view-tables.js';
