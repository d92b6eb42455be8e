import fp from 'fastify-plugin';
import { ResponseCache } from '../cache/response-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    responseCache: ResponseCache;
  }
}

/** The short-lived per-principal cache of GET answers. */
export default fp<{ ttlMs: number; maxEntries: number }>(
  (app, options, done) => {
    const cache = new ResponseCache(options);
    app.decorate('responseCache', cache);
    app.addHook('onClose', (_app, next) => {
      cache.clear();
      next();
    });
    done();
  },
  { name: 'response-cache', fastify: '5.x', dependencies: ['metrics'] },
);
