import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook, after the token was looked at: an authenticated request counts against
     * its principal's quota, any other (no token, a bad one) against its client IP's.
     */
    limitRequests(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export interface RateLimitPluginOptions {
  readonly perPrincipalPerMinute: number;
  readonly perIpPerMinute: number;
}

const WINDOW_MS = 60_000;

/**
 * One quota per request, from @fastify/rate-limit: per principal when the bearer token is
 * valid, else per client IP (so token guessing is limited, and one busy address does not
 * throttle every customer behind it). Counted in Redis when the gateways share state
 * (REDIS_URL), so N gateways enforce one limit; in memory otherwise. Answers carry the
 * RateLimit-Limit/-Remaining/-Reset fields of the quota that applies; a 429 adds Retry-After.
 * When Redis does not answer the request passes unlimited (counted in
 * gateway_shared_state_errors_total): the limit protects the upstreams, it is not a quota
 * worth refusing payments for.
 */
export default fp<RateLimitPluginOptions>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: false,
      timeWindow: WINDOW_MS,
      enableDraftSpec: true,
      ...(app.sharedState
        ? { redis: app.sharedState, nameSpace: `${app.sharedStatePrefix}rate:` }
        : {}),
      // The two kinds are told apart by their prefix; the id after it is taken whole.
      keyGenerator: (request) =>
        request.principal ? `principal:${request.principal.id}` : `ip:${request.ip}`,
      max: (request) =>
        Promise.resolve(request.principal ? options.perPrincipalPerMinute : options.perIpPerMinute),
      onExceeded: (request) =>
        app.metrics.rateLimited.inc({ scope: request.principal ? 'principal' : 'ip' }),
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new HttpProblem(429, 'RATE_LIMITED', `too many requests; retry in ${seconds} s`, {
          headers: { 'retry-after': String(seconds) },
        });
      },
    });
    const limit = app.rateLimit();
    app.decorate('limitRequests', async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        await limit.call(app, request, reply);
      } catch (error) {
        if (error instanceof HttpProblem) throw error;
        app.metrics.sharedStateErrors.inc({ operation: 'rate_limit' });
        request.log.warn({ err: error }, 'rate-limit counter unavailable; request not limited');
      }
    });
  },
  { name: 'rate-limit', fastify: '5.x', dependencies: ['metrics', 'shared-state'] },
);
