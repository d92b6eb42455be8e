import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { SHARED_SCHEMAS } from '../schemas/shared.js';

/**
 * The shared schemas, and the OpenAPI 3.1 document generated from the route schemas
 * (GET /openapi.json) with Swagger UI at /docs.
 */
export default fp<{ algorithms: readonly string[]; maxTokenLifetimeSeconds: number }>(
  async (app, options) => {
    for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Bank API',
          version: '1.0.0',
          description:
            'Accounts, holds and transfers. Amounts are decimal strings; every POST needs an ' +
            'Idempotency-Key; errors are RFC 9457 problems with a stable `code`. Command answers carry ' +
            '`position`: send it as X-Consistency-Token to read your own write.',
        },
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description:
                `JWT (${options.algorithms.join(', ')}) with sub, roles, iss, aud and exp. ` +
                `An iat in the future is refused (TOKEN_ISSUED_IN_FUTURE), and so is a lifetime ` +
                `(exp - iat, or exp - now without iat) above ${options.maxTokenLifetimeSeconds} s ` +
                '(TOKEN_LIFETIME_TOO_LONG).',
            },
          },
        },
        tags: [
          { name: 'accounts', description: 'Accounts, balances, ledger and statements' },
          { name: 'holds', description: 'Reserving and capturing money' },
          { name: 'transfers', description: 'Moving money between accounts' },
          { name: 'operations', description: 'Health, readiness and metrics' },
        ],
      },
      transformObject: (document) => markOptionalBodies(document),
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  },
  { name: 'openapi', fastify: '5.x' },
);

/**
 * A body without required fields may be omitted (the route takes a missing body as `{}`):
 * @fastify/swagger marks every body required, so those are set optional here.
 */
function markOptionalBodies(generated: object): object {
  const document = (generated as { openapiObject: { paths?: object } }).openapiObject;
  for (const methods of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(methods as Record<string, OperationLike>)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      if (operation.requestBody && schema && !schema.required?.length) {
        operation.requestBody.required = false;
      }
    }
  }
  return document;
}

interface OperationLike {
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: { required?: readonly string[] } }>;
  };
}
