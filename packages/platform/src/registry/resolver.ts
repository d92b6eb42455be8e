import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../logger.js';
import { ServiceDirectory, type RegistryConfig } from './registry.js';

/**
 * Client-side discovery for grpc-js: a channel target `etcd://<endpoints>/<service>` (endpoints
 * comma separated, e.g. `etcd://127.0.0.1:2379/command-service`) resolves to the gRPC addresses
 * of the service's ready instances in the registry and follows the registry as it changes, so
 * round_robin balances over exactly those. While the registry cannot be reached the channel keeps
 * the last known set.
 */
export const REGISTRY_SCHEME = 'etcd';

const directories = new Map<string, { directory: ServiceDirectory; users: number }>();
let defaults: { leaseTtlSeconds: number; logger?: Logger } = { leaseTtlSeconds: 5 };

/** The target a gRPC client dials to reach `service` through the registry. */
export function registryTarget(config: RegistryConfig, service: string): string {
  return `${REGISTRY_SCHEME}://${config.endpoints.join(',')}/${service}`;
}

/**
 * One shared directory per registry and service for everything in this process (channels,
 * readiness, metrics); `release` it when done, and the last user closes its watch.
 */
export function acquireDirectory(
  config: RegistryConfig,
  service: string,
): { readonly directory: ServiceDirectory; release(): void } {
  const key = `${config.endpoints.join(',')}/${service}`;
  let entry = directories.get(key);
  if (!entry) {
    entry = { directory: new ServiceDirectory(config, service, defaults.logger), users: 0 };
    directories.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    directory: held.directory,
    release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users === 0) {
        held.directory.close();
        directories.delete(key);
      }
    },
  };
}

class RegistryResolver implements grpc.experimental.Resolver {
  private readonly held: ReturnType<typeof acquireDirectory>;
  private unsubscribe: (() => void) | undefined;
  private lastReported: string | undefined;

  constructor(
    target: grpc.experimental.GrpcUri,
    private readonly listener: grpc.experimental.ResolverListener,
  ) {
    const service = target.path.replace(/^\/+/, '');
    const endpoints = (target.authority ?? '').split(',').filter(Boolean);
    if (!service || endpoints.length === 0)
      throw new Error(
        `registry target needs etcd endpoints and a service: ${REGISTRY_SCHEME}://host:port/service`,
      );
    this.held = acquireDirectory({ endpoints, leaseTtlSeconds: defaults.leaseTtlSeconds }, service);
  }

  updateResolution(): void {
    if (!this.unsubscribe) {
      this.unsubscribe = this.held.directory.onChange(() => this.report(false));
    }
    setImmediate(() => this.report(true));
  }

  destroy(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.held.release();
  }

  /** Tells the channel the ready set; an unchanged set is not repeated unless asked for. */
  private report(asked: boolean): void {
    const { directory } = this.held;
    const state = directory.state();
    if (!state.connected && state.instances.size === 0) return; // nothing known yet: keep waiting
    const addresses = directory.readyAddresses();
    const signature = addresses.join(',');
    if (!asked && signature === this.lastReported) return;
    this.lastReported = signature;
    const endpoints: grpc.experimental.Endpoint[] = addresses.map((address) => {
      const at = address.lastIndexOf(':');
      return { addresses: [{ host: address.slice(0, at), port: Number(address.slice(at + 1)) }] };
    });
    this.listener(
      grpc.experimental.statusOrFromValue(endpoints),
      {},
      null,
      addresses.length === 0 ? `no ready ${directory.service} instance in the registry` : '',
    );
  }

  static getDefaultAuthority(target: grpc.experimental.GrpcUri): string {
    return target.path.replace(/^\/+/, '');
  }
}

let registered = false;

/** Makes `etcd://` targets work in every grpc-js channel of this process (idempotent). */
export function registerRegistryResolver(
  options: { leaseTtlSeconds?: number; logger?: Logger } = {},
): void {
  defaults = {
    leaseTtlSeconds: options.leaseTtlSeconds ?? defaults.leaseTtlSeconds,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  if (registered) return;
  registered = true;
  grpc.experimental.registerResolver(REGISTRY_SCHEME, RegistryResolver);
}
