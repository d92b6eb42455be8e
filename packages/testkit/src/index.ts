export * from './postgres.js';
export * from './kafka.js';
export * from './wait-for.js';
export * from './process.js';
export * from './stack.js';
export * from './ports.js';
export * from './browser.js';
