import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http/problem.js';
import { RateLimiter, rateLimitHeaders, type RateDecision } from '../http/rate-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook before authentication: per client IP. */
    limitByIp(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** onRequest hook after authentication: per principal. */
    limitByPrincipal(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export interface RateLimitPluginOptions {
  readonly perPrincipalPerMinute: number;
  readonly perIpPerMinute: number;
}

/**
 * Two quotas: per IP before authentication (so token guessing is limited too), per principal
 * after it. Answers carry RateLimit-Limit/-Remaining/-Reset of the quota that applies; a 429
 * adds Retry-After.
 */
export default fp<RateLimitPluginOptions>(
  (app, options, done) => {
    const byIp = new RateLimiter(options.perIpPerMinute);
    const byPrincipal = new RateLimiter(options.perPrincipalPerMinute);

    const enforce = (scope: 'ip' | 'principal', decision: RateDecision, reply: FastifyReply) => {
      const headers = rateLimitHeaders(decision);
      reply.headers(headers);
      if (decision.allowed) return Promise.resolve();
      app.metrics.rateLimited.inc({ scope });
      return Promise.reject(
        new HttpProblem(
          429,
          'RATE_LIMITED',
          `too many requests; retry in ${decision.resetSeconds} s`,
          {
            headers: { ...headers, 'retry-after': String(decision.resetSeconds) },
          },
        ),
      );
    };

    app.decorate('limitByIp', (request: FastifyRequest, reply: FastifyReply) =>
      enforce('ip', byIp.take(request.ip), reply),
    );
    app.decorate('limitByPrincipal', (request: FastifyRequest, reply: FastifyReply) =>
      request.principal
        ? enforce('principal', byPrincipal.take(request.principal.id), reply)
        : Promise.resolve(),
    );
    done();
  },
  { name: 'rate-limit', fastify: '5.x', dependencies: ['metrics'] },
);
