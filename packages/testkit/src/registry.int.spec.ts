import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger, grpc } from '@bank/platform';
import {
  acquireDirectory,
  newInstanceId,
  Registration,
  registerRegistryResolver,
  registryTarget,
  type RegistryConfig,
} from '@bank/platform/registry';
import { startEtcd, type RunningEtcd } from './etcd.js';
import { startProcess } from './process.js';
import { waitFor } from './wait-for.js';

const logger = createLogger({ service: 'registry-test', level: 'silent' });
const TTL_SECONDS = 2;

/** A one-method gRPC service that answers with the name of the instance that took the call. */
const whoService: grpc.ServiceDefinition = {
  Who: {
    path: '/bank.test.Who/Who',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
    requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
    responseSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
    responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
  },
};
const WhoClient = grpc.makeGenericClientConstructor(whoService, 'Who');

interface Instance {
  readonly name: string;
  readonly server: grpc.Server;
  readonly address: string;
  ready: boolean;
  registration: Registration;
}

async function startInstance(
  config: RegistryConfig,
  service: string,
  name: string,
): Promise<Instance> {
  const server = new grpc.Server();
  server.addService(whoService, {
    Who: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { name }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const instance: Instance = { name, server, address, ready: true } as Instance;
  instance.registration = new Registration({
    config,
    record: {
      service,
      instanceId: `${name}-${newInstanceId()}`,
      version: 'test',
      grpcAddress: address,
      metricsAddress: '',
    },
    readiness: () => Promise.resolve(instance.ready),
    logger,
    checkIntervalMs: 100,
  });
  await instance.registration.start();
  return instance;
}

function who(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/bank.test.Who/Who',
      (value: unknown) => Buffer.from(JSON.stringify(value)),
      (bytes: Buffer) => JSON.parse(bytes.toString()) as { name: string },
      {},
      new grpc.Metadata(),
      { deadline: Date.now() + 2000 },
      (error, response) => (error ? reject(error) : resolve(response?.name ?? '')),
    );
  });
}

async function namesOf(client: grpc.Client, calls: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < calls; i += 1) names.add(await who(client));
  return names;
}

describe('service registry on etcd', () => {
  let etcd: RunningEtcd;
  let config: RegistryConfig;

  before(async () => {
    etcd = await startEtcd();
    config = { endpoints: [etcd.endpoint], leaseTtlSeconds: TTL_SECONDS };
    registerRegistryResolver({ leaseTtlSeconds: TTL_SECONDS, logger });
  });
  after(async () => {
    await etcd?.stop();
  });

  it('lists a registered instance with its record, and drops it at once when it deregisters', async () => {
    const held = acquireDirectory(config, 'svc-listing');
    try {
      await held.directory.start();
      const a = await startInstance(config, 'svc-listing', 'a');
      await waitFor(() => held.directory.readyAddresses().includes(a.address), { timeoutMs: 5000 });
      const [record] = [...held.directory.state().instances.values()];
      assert.equal(record?.service, 'svc-listing');
      assert.equal(record?.grpcAddress, a.address);
      assert.equal(record?.version, 'test');
      assert.equal(record?.ready, true);
      await a.registration.stop();
      await waitFor(() => held.directory.state().instances.size === 0, { timeoutMs: 1000 });
      a.server.forceShutdown();
    } finally {
      held.release();
    }
  });

  it('balances over the ready instances only, following readiness and deregistration', async () => {
    const service = 'svc-balance';
    const a = await startInstance(config, service, 'a');
    const b = await startInstance(config, service, 'b');
    const client = new WhoClient(
      registryTarget(config, service),
      grpc.credentials.createInsecure(),
      {
        'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      },
    );
    try {
      await waitFor(async () => (await namesOf(client, 6)).size === 2, { timeoutMs: 10_000 });

      b.ready = false; // b says it is not ready: it must stop getting calls
      await waitFor(
        async () => {
          const names = await namesOf(client, 6);
          return names.size === 1 && names.has('a');
        },
        { timeoutMs: 5000 },
      );

      b.ready = true;
      await waitFor(async () => (await namesOf(client, 6)).size === 2, { timeoutMs: 5000 });

      await a.registration.stop(); // a deregisters before draining: calls go to b only
      await waitFor(
        async () => {
          const names = await namesOf(client, 6);
          return names.size === 1 && names.has('b');
        },
        { timeoutMs: 5000 },
      );
      assert.deepEqual([...(await namesOf(client, 10))], ['b']);
    } finally {
      client.close();
      await b.registration.stop();
      a.server.forceShutdown();
      b.server.forceShutdown();
    }
  });

  it('drops an instance that hangs once its lease expires', async () => {
    const service = 'svc-hang';
    const held = acquireDirectory(config, service);
    const registryModule = fileURLToPath(import.meta.resolve('@bank/platform/registry'));
    const loggerModule = fileURLToPath(import.meta.resolve('@bank/platform/core'));
    const script = `
      const { Registration } = await import(${JSON.stringify(registryModule)});
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      const r = new Registration({
        config: { endpoints: [${JSON.stringify(etcd.endpoint)}], leaseTtlSeconds: ${TTL_SECONDS} },
        record: { service: '${service}', instanceId: 'hanging', version: 'test', grpcAddress: '127.0.0.1:1', metricsAddress: '' },
        readiness: async () => true,
        logger: createLogger({ service: 'hang', level: 'silent' }),
      });
      await r.start();
      console.log('registered');
      setInterval(() => {}, 1000);`;
    const child = await startProcess(
      process.execPath,
      ['--input-type=module', '-e', script],
      {},
      'registered',
    );
    try {
      await held.directory.start();
      await waitFor(() => held.directory.state().instances.has('hanging'), { timeoutMs: 5000 });
      process.kill(child.pid, 'SIGSTOP'); // hung: no more keep-alives
      const hungAt = Date.now();
      await waitFor(() => !held.directory.state().instances.has('hanging'), { timeoutMs: 15_000 });
      const gone = Date.now() - hungAt;
      assert.ok(gone >= 1000, `dropped after ${gone} ms, before its lease could have expired`);
    } finally {
      process.kill(child.pid, 'SIGCONT');
      await child.kill();
      held.release();
    }
  });

  it('keeps the last known set while the registry is down, and says so', async () => {
    const service = 'svc-down';
    const a = await startInstance(config, service, 'a');
    const held = acquireDirectory(config, service);
    const client = new WhoClient(
      registryTarget(config, service),
      grpc.credentials.createInsecure(),
    );
    try {
      await waitFor(async () => (await who(client)) === 'a', { timeoutMs: 10_000 });
      assert.equal(held.directory.state().connected, true);
      await etcd.process.kill('SIGKILL'); // the registry is gone
      await waitFor(() => !held.directory.state().connected, { timeoutMs: 15_000 });
      assert.deepEqual(held.directory.readyAddresses(), [a.address], 'the last known set stays');
      assert.equal(await who(client), 'a', 'calls still reach the last known instance');
    } finally {
      client.close();
      held.release();
      await a.registration.stop();
      a.server.forceShutdown();
      etcd = await startEtcd(); // for after(); later tests get a fresh registry
    }
  });
});
