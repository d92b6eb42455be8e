import type { Logger } from '@bank/platform';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** Redis shared by every gateway (REDIS_URL); undefined when each gateway keeps its own. */
    sharedState: Redis | undefined;
    /** Every key the gateway writes there starts with this (REDIS_KEY_PREFIX). */
    sharedStatePrefix: string;
  }
}

export interface SharedStatePluginOptions {
  readonly redisUrl: string | undefined;
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** How long start-up waits for a first connection before going on degraded. */
  readonly connectWaitMs?: number;
}

/**
 * The Redis connection behind the shared rate limits and cache versions. Commands never queue
 * while Redis is away: they fail at once, and each user decides what that means (limits pass,
 * the cache is bypassed). The connection retries in the background; gateway_shared_state_up
 * and /readyz say whether it is there.
 */
export default fp<SharedStatePluginOptions>(
  async (app, options) => {
    app.decorate('sharedStatePrefix', options.keyPrefix);
    if (!options.redisUrl) {
      app.decorate('sharedState', undefined);
      return;
    }
    const log = options.logger.child({ component: 'shared-state' });
    const redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let up = false;
    app.metrics.sharedStateUp.set(0);
    redis.on('ready', () => {
      up = true;
      app.metrics.sharedStateUp.set(1);
      log.info('shared state (Redis) connected');
    });
    redis.on('close', () => {
      if (up) log.warn('shared state (Redis) lost: limits per gateway pass, cache bypassed');
      up = false;
      app.metrics.sharedStateUp.set(0);
    });
    redis.on('error', (error) => log.debug({ err: error }, 'shared state (Redis) error'));
    const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    const waited = await Promise.race([
      ready.then(() => true),
      new Promise<boolean>((resolve) =>
        setTimeout(() => resolve(false), options.connectWaitMs ?? 2000).unref(),
      ),
    ]);
    if (!waited) log.warn('shared state (Redis) not reachable at start; going on without it');
    app.decorate('sharedState', redis);
    app.addHook('onClose', async () => {
      redis.disconnect();
      await Promise.resolve();
    });
  },
  { name: 'shared-state', fastify: '5.x', dependencies: ['metrics'] },
);
