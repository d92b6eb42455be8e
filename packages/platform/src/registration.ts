import { hostname } from 'node:os';
import type { CommonConfig } from './config.js';
import type { Logger } from './logger.js';

export interface JoinRegistryOptions {
  readonly config: Pick<CommonConfig, 'registry' | 'advertiseHost'>;
  readonly service: string;
  readonly version: string;
  /** Where the instance takes gRPC calls; omitted for a service without a gRPC API. */
  readonly grpc?: { readonly host: string; readonly port: number };
  /** Where its /healthz, /readyz and /metrics answer. */
  readonly metrics: { readonly host: string; readonly port: number };
  /** The instance's readiness, rechecked every second; only ready instances get calls. */
  readonly readiness: () => Promise<boolean>;
  readonly logger: Logger;
}

/** An instance's place in the registry; `leave` deregisters (a no-op without a registry). */
export interface RegistryMembership {
  readonly instanceId: string | undefined;
  leave(): Promise<void>;
}

/**
 * Registers this instance in the service registry when one is configured (REGISTRY_ENDPOINTS),
 * else does nothing. The etcd client is loaded only then.
 */
export async function joinRegistry(options: JoinRegistryOptions): Promise<RegistryMembership> {
  const registry = options.config.registry;
  if (!registry) return { instanceId: undefined, leave: () => Promise.resolve() };
  const { Registration, newInstanceId } = await import('./registry/registry.js');
  const advertise = (host: string) =>
    options.config.advertiseHost ?? (host === '0.0.0.0' || host === '::' ? hostname() : host);
  const address = (at: { host: string; port: number }) => `${advertise(at.host)}:${at.port}`;
  const registration = new Registration({
    config: registry,
    record: {
      service: options.service,
      instanceId: newInstanceId(),
      version: options.version,
      grpcAddress: options.grpc ? address(options.grpc) : '',
      metricsAddress: address(options.metrics),
    },
    readiness: options.readiness,
    logger: options.logger,
  });
  await registration.start();
  return { instanceId: registration.instanceId, leave: () => registration.stop() };
}
