export * from './caller.js';
export * from './config.js';
export * from './jwt.js';
export * from './mint.js';
export * from './principal.js';
export * from './access.js';
