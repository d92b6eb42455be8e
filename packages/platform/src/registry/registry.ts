import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Etcd3, type Lease, type Watcher } from 'etcd3';
import type { RegistryConfig } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The service registry on etcd. Each instance of a service keeps one key under a lease:
 *   <prefix><service>/<instance id>  →  JSON InstanceRecord
 * The lease is kept alive from the instance's own event loop, so an instance that stops or hangs
 * drops out once its lease's TTL passes; on a graceful stop the instance revokes it first.
 */
export const REGISTRY_PREFIX = '/bank/services/';

export interface InstanceRecord {
  readonly service: string;
  readonly instanceId: string;
  readonly version: string;
  /** host:port where the instance takes gRPC calls ('' for a service without a gRPC API). */
  readonly grpcAddress: string;
  /** host:port of /healthz, /readyz and /metrics. */
  readonly metricsAddress: string;
  readonly ready: boolean;
  readonly registeredAt: string;
}

export type { RegistryConfig };

function connect(config: RegistryConfig): Etcd3 {
  const security = config.security ?? {};
  // With a CA configured the endpoints are TLS: a bare host:port becomes https.
  const scheme = security.credentials ? 'https' : 'http';
  return new Etcd3({
    hosts: config.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `${scheme}://${e}`)),
    dialTimeout: 2000,
    ...(security.credentials ? { credentials: { ...security.credentials } } : {}),
    ...(security.auth ? { auth: { ...security.auth } } : {}),
  });
}

/** A unique id for this process's registration: host, pid and a random part. */
export function newInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export interface RegistrationOptions {
  readonly config: RegistryConfig;
  readonly record: Omit<InstanceRecord, 'ready' | 'registeredAt'>;
  /** Asked every `checkIntervalMs`; the key is rewritten when the answer changes. */
  readonly readiness: () => Promise<boolean>;
  readonly logger: Logger;
  readonly checkIntervalMs?: number;
}

/**
 * One instance's entry in the registry. `start` registers (under a fresh lease; a lost lease is
 * granted again and the key rewritten), `stop` deregisters by revoking the lease.
 */
export class Registration {
  private readonly client: Etcd3;
  private readonly key: string;
  private lease: Lease | undefined;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly registeredAt = new Date().toISOString();

  constructor(private readonly options: RegistrationOptions) {
    this.client = connect(options.config);
    this.key = `${REGISTRY_PREFIX}${options.record.service}/${options.record.instanceId}`;
  }

  get instanceId(): string {
    return this.options.record.instanceId;
  }

  async start(): Promise<void> {
    this.ready = await this.options.readiness().catch(() => false);
    await this.grant();
    const every = this.options.checkIntervalMs ?? 1000;
    this.timer = setInterval(() => void this.recheck(), every);
    this.timer.unref();
    this.options.logger.info(
      { registry: this.options.config.endpoints, key: this.key, ready: this.ready },
      'registered in the service registry',
    );
  }

  /** Deregisters (revokes the lease, so the key goes at once) and closes the client. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    try {
      await this.lease?.revoke({ deadline: Date.now() + 2000 });
      this.options.logger.info({ key: this.key }, 'deregistered from the service registry');
    } catch (error) {
      this.options.logger.warn(
        { err: error, key: this.key },
        'could not deregister; the entry expires with its lease',
      );
    } finally {
      this.client.close();
    }
  }

  private record(): InstanceRecord {
    return { ...this.options.record, ready: this.ready, registeredAt: this.registeredAt };
  }

  private async grant(): Promise<void> {
    const lease = this.client.lease(this.options.config.leaseTtlSeconds);
    this.lease = lease;
    lease.on('lost', (error) => {
      if (this.stopped || lease !== this.lease) return;
      this.options.logger.warn(
        { err: error, key: this.key },
        'registry lease lost; registering again',
      );
      void this.regrant();
    });
    await lease.put(this.key).value(JSON.stringify(this.record()));
  }

  private async regrant(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.grant();
        return;
      } catch (error) {
        this.options.logger.warn({ err: error, key: this.key }, 'registry unreachable; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      }
    }
  }

  private async recheck(): Promise<void> {
    const ready = await this.options.readiness().catch(() => false);
    if (ready === this.ready || this.stopped) return;
    this.ready = ready;
    try {
      await this.lease?.put(this.key).value(JSON.stringify(this.record()));
      this.options.logger.info({ key: this.key, ready }, 'readiness changed in the registry');
    } catch (error) {
      this.ready = !ready; // written next time round
      this.options.logger.warn({ err: error, key: this.key }, 'could not update the registry');
    }
  }
}

export interface DirectoryState {
  /** Instances listed in the registry, ready or not, by instance id. */
  readonly instances: ReadonlyMap<string, InstanceRecord>;
  /** False while the registry cannot be reached: the instances are the last known set. */
  readonly connected: boolean;
}

/**
 * The live set of one service's instances, from a watch on its prefix, and a full listing every
 * `probeEveryMs` (a watch on a server that hangs never says it is gone; the listing, with a
 * deadline, does, and it repairs anything the watch missed). While etcd cannot be reached it
 * keeps the last known set and says so (`connected: false`).
 */
export class ServiceDirectory {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly listeners = new Set<(state: DirectoryState) => void>();
  private watcher: Watcher | undefined;
  private connected = false;
  private closed = false;
  private starting: Promise<void> | undefined;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly config: RegistryConfig,
    readonly service: string,
    private readonly logger?: Logger,
    private readonly probeEveryMs = 1000,
  ) {
    this.client = connect(config);
    this.prefix = `${REGISTRY_PREFIX}${service}/`;
  }

  state(): DirectoryState {
    return { instances: new Map(this.instances), connected: this.connected };
  }

  /** The gRPC addresses of the ready instances. */
  readyAddresses(): string[] {
    return [...this.instances.values()]
      .filter((i) => i.ready && i.grpcAddress !== '')
      .map((i) => i.grpcAddress)
      .sort();
  }

  /** Calls `listener` on every change (and once the first listing is in). */
  onChange(listener: (state: DirectoryState) => void): () => void {
    this.listeners.add(listener);
    void this.start();
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    this.starting ??= this.watch();
    return this.starting;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.probe);
    void this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }

  private async watch(): Promise<void> {
    while (!this.closed) {
      try {
        const watcher = await this.client.watch().prefix(this.prefix).create();
        this.watcher = watcher;
        watcher.on('put', (kv) => this.put(kv.key.toString(), kv.value.toString()));
        watcher.on('delete', (kv) => this.remove(kv.key.toString()));
        watcher.on('disconnected', () => this.setConnected(false));
        watcher.on('connected', () => void this.resync());
        await this.resync();
        this.probe = setInterval(() => void this.resync(), this.probeEveryMs);
        this.probe.unref();
        return;
      } catch (error) {
        this.setConnected(false);
        this.logger?.warn({ err: error, service: this.service }, 'registry unreachable; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      }
    }
  }

  /** Replaces the set with a full listing: after (re)connecting, deletes may have been missed. */
  private async resync(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const listing = await Promise.race([
        this.client.getAll().prefix(this.prefix).strings(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.probeEveryMs * 2} ms`)),
            this.probeEveryMs * 2,
          );
        }),
      ]);
      const before = JSON.stringify([...this.instances.entries()]);
      this.instances.clear();
      for (const [key, value] of Object.entries(listing)) this.parse(key, value);
      const changed = before !== JSON.stringify([...this.instances.entries()]);
      if (changed || !this.connected) {
        if (!this.connected) this.logger?.info({ service: this.service }, 'registry reachable');
        this.connected = true;
        this.emit();
      }
    } catch (error) {
      if (this.connected)
        this.logger?.warn(
          { err: error, service: this.service },
          'registry unreachable; keeping the last known instances',
        );
      this.setConnected(false);
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
  }

  private parse(key: string, value: string): void {
    try {
      const record = JSON.parse(value) as InstanceRecord;
      this.instances.set(key.slice(this.prefix.length), record);
    } catch {
      this.logger?.warn({ key }, 'registry entry is not an instance record; ignored');
    }
  }

  private put(key: string, value: string): void {
    this.parse(key, value);
    this.connected = true;
    this.emit();
  }

  private remove(key: string): void {
    this.instances.delete(key.slice(this.prefix.length));
    this.emit();
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit();
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
