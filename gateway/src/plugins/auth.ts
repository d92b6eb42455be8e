import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  createTokenVerifier,
  InvalidTokenError,
  type TokenRules,
  type TokenVerifier,
} from '@bank/platform';
import { hasAnyRole, type Principal, type Role } from '@bank/platform';
import type { JwtKeyConfig } from '@bank/platform';
import { HttpProblem } from '../http/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
    /** onRequest hook: the bearer token → request.principal, else 401. */
    authenticate(request: FastifyRequest): Promise<void>;
    /** onRequest hook: the route's `config.roles` → 403 for anyone else. */
    authorize(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The bearer token the principal was verified from, forwarded to the services. */
    bearerToken: string | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route at all; ownership is checked further down (404 when not theirs). */
    roles?: readonly Role[];
  }
}

export interface AuthPluginOptions extends TokenRules {
  readonly key: JwtKeyConfig;
}

const CHALLENGE = 'Bearer realm="bank-api"';
const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/** JWT bearer authentication and role checks (see src/auth/jwt.ts for the pinned algorithms). */
export default fp<AuthPluginOptions>(
  (app, options, done) => {
    const verifier = createTokenVerifier(options);
    app.decorate('tokenVerifier', verifier);
    app.decorateRequest('principal', null);
    app.decorateRequest('bearerToken', null);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      if (!header) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required', {
          headers: { 'www-authenticate': CHALLENGE },
        });
      }
      const token = BEARER.exec(header)?.[1];
      try {
        if (!token) throw new InvalidTokenError('not a bearer JWT');
        request.principal = await verifier.verify(token);
        request.bearerToken = token;
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        request.log.info({ reason: error.message, code: error.code }, 'token refused');
        const detail =
          error.code === 'UNAUTHENTICATED'
            ? 'the bearer token is invalid or expired'
            : error.message;
        throw new HttpProblem(401, error.code, detail, {
          headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
        });
      }
    });

    app.decorate('authorize', (request: FastifyRequest) => {
      const allowed = request.routeOptions.config.roles;
      const principal = request.principal;
      if (allowed && (!principal || !hasAnyRole(principal, allowed))) {
        return Promise.reject(
          new HttpProblem(
            403,
            'FORBIDDEN',
            `this operation is for the roles ${allowed.join(', ')}; your token has ${principal?.roles.join(', ') || 'none'}`,
          ),
        );
      }
      return Promise.resolve();
    });
    done();
  },
  { name: 'auth', fastify: '5.x' },
);

/** The authenticated principal of a /v1 request (the auth hook ran before any handler). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required');
  return request.principal;
}
