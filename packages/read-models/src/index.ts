export * from './migrations.js';
export * from './projection/index.js';
