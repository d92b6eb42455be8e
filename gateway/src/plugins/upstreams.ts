import fp from 'fastify-plugin';
import { createUpstreams, type Upstreams } from '../upstream/clients.js';

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: Upstreams;
  }
}

export interface UpstreamsPluginOptions {
  readonly commandServiceAddress: string;
  readonly queryServiceAddress: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** The gRPC clients of the command and query services, closed with the app. */
export default fp<UpstreamsPluginOptions>(
  (app, options, done) => {
    const upstreams = createUpstreams({
      ...options,
      onCall: (service, method, outcome) =>
        app.metrics.upstreamCalls.inc({ service, method, outcome }),
    });
    app.decorate('upstreams', upstreams);
    app.addHook('onClose', (_app, next) => {
      upstreams.close();
      next();
    });
    done();
  },
  { name: 'upstreams', fastify: '5.x', dependencies: ['metrics'] },
);
