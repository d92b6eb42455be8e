export * from './api.js';
export * from './files.js';
export * from './scrape-config.js';
export * from './server.js';
export * from './tools.js';
