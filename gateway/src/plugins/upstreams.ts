import { upstreamTarget, type grpc, type Logger, type RegistryConfig } from '@bank/platform';
import fp from 'fastify-plugin';
import { createUpstreams, type UpstreamName, type Upstreams } from '../upstream/clients.js';

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: Upstreams;
    /** What the registry says of each upstream; undefined without a registry. */
    discovery: Discovery | undefined;
  }
}

export interface DiscoveryState {
  /** False while the registry cannot be reached: calls go to the last known set. */
  readonly connected: boolean;
  readonly ready: number;
  readonly notReady: number;
}

export interface Discovery {
  state(): Record<UpstreamName, DiscoveryState>;
}

export interface UpstreamsPluginOptions {
  readonly commandServiceAddress: string;
  readonly queryServiceAddress: string;
  readonly registry: RegistryConfig | undefined;
  /** mTLS to both services (or plaintext, when configured so). */
  readonly credentials: grpc.ChannelCredentials;
  /** Where the registry watch reports losing and finding the registry. */
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Streams carrying the command calls together; 0: a unary call each. */
  readonly commandStreams: number;
}

/** The registry's name of each upstream. */
const SERVICE_NAMES: Record<UpstreamName, string> = {
  command: 'command-service',
  query: 'query-service',
};

/**
 * The gRPC clients of the command and query services, closed with the app. With a registry the
 * channels dial `etcd://` targets (only ready instances, followed live); else the configured
 * addresses (a host:port, a list, or a DNS name).
 */
export default fp<UpstreamsPluginOptions>(
  async (app, options) => {
    let discovery: (Discovery & { close(): void }) | undefined;
    let targets: Record<UpstreamName, string>;
    if (options.registry) {
      const registry = options.registry;
      // Loaded only with a registry: without one, the etcd client is never imported.
      const { acquireDirectory, registerRegistryResolver, registryTarget } =
        await import('@bank/platform/registry');
      registerRegistryResolver({
        leaseTtlSeconds: registry.leaseTtlSeconds,
        logger: options.logger,
      });
      targets = {
        command: registryTarget(registry, SERVICE_NAMES.command),
        query: registryTarget(registry, SERVICE_NAMES.query),
      };
      const held = {
        command: acquireDirectory(registry, SERVICE_NAMES.command),
        query: acquireDirectory(registry, SERVICE_NAMES.query),
      };
      const stateOf = (upstream: UpstreamName): DiscoveryState => {
        const { instances, connected } = held[upstream].directory.state();
        const ready = [...instances.values()].filter((i) => i.ready).length;
        return { connected, ready, notReady: instances.size - ready };
      };
      for (const upstream of ['command', 'query'] as const) {
        const report = () => {
          const state = stateOf(upstream);
          const service = SERVICE_NAMES[upstream];
          app.metrics.registryConnected.set({ service }, state.connected ? 1 : 0);
          app.metrics.registryInstances.set({ service, state: 'ready' }, state.ready);
          app.metrics.registryInstances.set({ service, state: 'not_ready' }, state.notReady);
        };
        report();
        held[upstream].directory.onChange(report);
      }
      discovery = {
        state: () => ({ command: stateOf('command'), query: stateOf('query') }),
        close: () => {
          held.command.release();
          held.query.release();
        },
      };
    } else {
      targets = {
        command: upstreamTarget(options.commandServiceAddress),
        query: upstreamTarget(options.queryServiceAddress),
      };
    }
    const upstreams = createUpstreams({
      commandTarget: targets.command,
      queryTarget: targets.query,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      commandStreams: options.commandStreams,
      onCall: (service, method, outcome) =>
        app.metrics.upstreamCalls.inc({ service, method, outcome }),
      onStreamMessage: (calls) => app.metrics.commandStreamMessage.observe(calls),
      onStreamOpen: () => app.metrics.commandStreamsOpened.inc(),
    });
    app.decorate('upstreams', upstreams);
    app.decorate('discovery', discovery);
    app.addHook('onClose', (_app, next) => {
      upstreams.close();
      discovery?.close();
      next();
    });
  },
  { name: 'upstreams', fastify: '5.x', dependencies: ['metrics'] },
);
