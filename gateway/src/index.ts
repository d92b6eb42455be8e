export { buildApp, type GatewayDeps } from './app.js';
export { startGateway, type RunningGateway } from './server.js';
export {
  readGatewayConfig,
  DEVELOPMENT_JWT_SECRET,
  type GatewayConfig,
  type JwtKeyConfig,
} from './environment.js';
export { mintDevelopmentToken } from '@bank/platform';
export type { Principal, Role } from '@bank/platform';
export { renderOpenApiDocument } from './openapi-document.js';
