import fp from 'fastify-plugin';
import type { IdempotencyStore } from '../idempotency/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    idempotencyStore: IdempotencyStore;
  }
}

export interface IdempotencyPluginOptions {
  readonly store: IdempotencyStore;
  /** Keys younger than this are never purged. */
  readonly retentionMs: number;
  readonly purgeEveryMs: number;
}

/**
 * The idempotency store: its table is created before the app answers, keys older than the
 * retention are purged periodically, and the store is closed with the app.
 */
export default fp<IdempotencyPluginOptions>(
  async (app, options) => {
    const { store } = options;
    await store.prepare();
    app.decorate('idempotencyStore', store);
    const purge = () => {
      store.purge(options.retentionMs).then(
        (purged) => {
          if (purged > 0) app.log.info({ purged }, 'purged expired idempotency keys');
        },
        (error: unknown) => app.log.warn({ err: error }, 'idempotency key purge failed'),
      );
    };
    const timer = setInterval(purge, options.purgeEveryMs);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await store.close();
    });
  },
  { name: 'idempotency-store', fastify: '5.x' },
);
