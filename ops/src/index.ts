export { main } from './main.js';
export { EXIT } from './cli/exit-codes.js';
export { readOpsConfig, type OpsConfig } from './config.js';
