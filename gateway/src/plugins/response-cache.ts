import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import { ResponseCache, type CachedResponse } from '../cache/response-cache.js';
import { SharedCacheVersions } from '../cache/shared-versions.js';

declare module 'fastify' {
  interface FastifyInstance {
    responseCache: GatewayCache;
  }
}

/** The GET cache as routes use it: per principal, in memory, kept honest across gateways. */
export interface GatewayCache {
  /** A cached answer still good to serve at `key`, if any. */
  lookup(key: string, log: FastifyBaseLogger): Promise<CachedResponse | undefined>;
  /** Asks `load` and caches its answer when it is safe to (see SharedCacheVersions). */
  fill(
    key: string,
    load: () => Promise<{ body: unknown; tags: readonly string[] }>,
    log: FastifyBaseLogger,
  ): Promise<CachedResponse>;
  /** A command touched `tags`: drops them here and, with shared state, in every gateway. */
  invalidate(tags: readonly string[], log: FastifyBaseLogger): Promise<void>;
}

/**
 * The short-lived per-principal cache of GET answers. With shared state (REDIS_URL), entries
 * are served only while the shared versions of their tags are unchanged; when Redis does not
 * answer, lookups miss and fills are not stored, so no gateway serves what another's command
 * changed.
 */
export default fp<{ ttlMs: number; maxEntries: number }>(
  (app, options, done) => {
    const cache = new ResponseCache(options);
    const shared = app.sharedState
      ? new SharedCacheVersions(app.sharedState, options.ttlMs, app.sharedStatePrefix)
      : undefined;
    const failed = (operation: string, log: FastifyBaseLogger, error: unknown) => {
      app.metrics.sharedStateErrors.inc({ operation });
      log.warn({ err: error, operation }, 'shared cache versions unavailable');
    };
    const gatewayCache: GatewayCache = {
      async lookup(key, log) {
        const entry = cache.get(key);
        if (!entry || !shared) return entry;
        const current = await shared.current(entry.tags, entry.stamp).catch((error: unknown) => {
          failed('cache_check', log, error);
          return false;
        });
        if (current) return entry;
        cache.drop(key);
        return undefined;
      },
      async fill(key, load, log) {
        const epoch = shared
          ? await shared.epoch().catch((error: unknown) => failed('cache_check', log, error))
          : null;
        const { body, tags } = await load();
        if (!shared) return cache.set(key, body, tags);
        const stamp =
          epoch === undefined
            ? undefined
            : await shared.stamp(tags, epoch).catch((error: unknown) => {
                failed('cache_check', log, error);
                return undefined;
              });
        return cache.set(key, body, tags, stamp);
      },
      async invalidate(tags, log) {
        cache.invalidate(tags);
        await shared?.bump(tags).catch((error: unknown) => failed('cache_invalidate', log, error));
      },
    };
    app.decorate('responseCache', gatewayCache);
    app.addHook('onClose', (_app, next) => {
      cache.clear();
      next();
    });
    done();
  },
  { name: 'response-cache', fastify: '5.x', dependencies: ['metrics', 'shared-state'] },
);
