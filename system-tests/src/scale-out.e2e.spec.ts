import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after as afterAll, before, describe, it } from 'node:test';
import { redisUrl, startEtcd, waitFor, type RunningEtcd, type StackService } from '@bank/testkit';
import {
  after,
  command,
  createApi,
  deposit,
  ok,
  openAccount,
  type Api,
  type Schemas,
} from './support/api.js';
import { startSystem, type System } from './support/system.js';

const LEASE_TTL_SECONDS = 2;
/** Per principal and minute, shared by both gateways through Redis. */
const LIMIT = 60;
const ACCOUNTS = 6;

/**
 * The system scaled out and found through the registry: two gateways sharing limits and cache
 * through Redis, two command services, two query services and a two-consumer projector group,
 * all registered in etcd. Deposits flow through both gateways while one instance of each kind
 * hangs or crashes and comes back; every acknowledged deposit, and only those, is in the
 * balances.
 */
describe('scale-out: registry, two of everything, instances lost under load', () => {
  let etcd: RunningEtcd;
  let system: System;
  let accounts: string[];
  let tellers = 0;
  let tellerUses = 0;
  let teller: (gateway: number) => Api;
  const acknowledged = new Map<string, bigint>();
  let depositsAcknowledged = 0;
  let lastPosition = 0n;
  let sequence = 0;

  const gatewayUrl = (gateway: number) =>
    system.stack.gatewayUrls[gateway % system.stack.gatewayUrls.length] ?? '';
  const gatewayClient = (gateway: number, sub: string, roles: readonly ('customer' | 'teller')[]) =>
    createApi(gatewayUrl(gateway), system.stack.mintToken(sub, roles));

  before(async () => {
    etcd = await startEtcd();
    system = await startSystem('e2e_scale', {
      commandInstances: 2,
      queryInstances: 2,
      gatewayInstances: 2,
      projectorRoles: 'split',
      consumerInstances: 2,
      registry: { endpoints: [etcd.endpoint], leaseTtlSeconds: LEASE_TTL_SECONDS },
      redisUrl: redisUrl(),
      env: {
        gateway: {
          RATE_LIMIT_PER_MINUTE: String(LIMIT),
          CACHE_TTL_MS: '30000',
          UPSTREAM_TIMEOUT_MS: '4000',
        },
      },
    });
    // Each teller principal serves a bounded number of deposits, below the shared limit.
    teller = (gateway) => {
      tellerUses += 1;
      if (tellerUses > LIMIT / 2) {
        tellers += 1;
        tellerUses = 1;
      }
      return gatewayClient(gateway, `scale-teller-${tellers}`, ['teller']);
    };
    accounts = [];
    for (let i = 0; i < ACCOUNTS; i += 1) {
      const opened = await openAccount(teller(i), { currency: 'USD', ownerId: 'scale-owner' });
      accounts.push(opened.account.id);
      acknowledged.set(opened.account.id, 0n);
    }
  });
  afterAll(async () => {
    await system?.stop();
    await etcd?.stop();
  });

  /**
   * One deposit through gateway `sequence % 2`, retried with the same Idempotency-Key (through
   * the other gateway too) until acknowledged; answers how long it took.
   */
  const depositRetried = async (): Promise<number> => {
    sequence += 1;
    const cents = BigInt((sequence % 97) + 1);
    const account = accounts[sequence % accounts.length] ?? '';
    const key = randomUUID();
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const answer = await teller(sequence + attempt).POST('/v1/accounts/{id}/deposits', {
        params: { path: { id: account }, header: command(key) },
        body: { amount: `0.${cents.toString().padStart(2, '0')}` },
      });
      if (answer.response.status === 200 && answer.data) {
        acknowledged.set(account, (acknowledged.get(account) ?? 0n) + cents);
        depositsAcknowledged += 1;
        const position = BigInt(answer.data.position);
        if (position > lastPosition) lastPosition = position;
        return Date.now() - started;
      }
      assert.ok(
        [409, 502, 503, 504].includes(answer.response.status) && attempt < 20,
        `deposit ${sequence}: ${answer.response.status} ${JSON.stringify(answer.error ?? answer.data)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** `count` deposits, `concurrency` at a time; answers the slowest one's milliseconds. */
  const depositMany = async (count: number, concurrency: number): Promise<number> => {
    let started = 0;
    let slowest = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < count) {
          started += 1;
          slowest = Math.max(slowest, await depositRetried());
        }
      }),
    );
    return slowest;
  };

  /** What gateway `gateway`'s readiness says, ready or not (503). */
  const readiness = async (gateway: number) => {
    const { data, error } = await createApi(gatewayUrl(gateway), undefined).GET('/readyz');
    return data ?? error;
  };

  const registered = async (service: 'command' | 'query'): Promise<number> =>
    (await readiness(0))?.discovery?.[service]?.ready ?? -1;

  const balancesMatch = async () => {
    const reader = gatewayClient(0, 'scale-auditor', ['teller']);
    for (const account of accounts) {
      // A consumer that took partitions over may need a few seconds: 503 with Retry-After.
      let read: Schemas['Account'] | undefined;
      await waitFor(
        async () => {
          const answer = await reader.GET('/v1/accounts/{id}', {
            params: { path: { id: account }, header: after(String(lastPosition)) },
          });
          if (answer.response.status === 200) read = answer.data;
          else assert.equal(answer.response.status, 503, JSON.stringify(answer.error));
          return read !== undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, description: `account ${account} read` },
      );
      const [units = '0', cents = '0'] = (read?.balance ?? '').split('.');
      assert.equal(BigInt(units) * 100n + BigInt(cents), acknowledged.get(account), account);
    }
    const { rows } = await system.schema.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM events WHERE type = 'FundsDeposited'",
    );
    assert.equal(
      Number(rows[0]?.n),
      depositsAcknowledged,
      'one Deposited event per acknowledged deposit',
    );
  };

  const service = (list: readonly StackService[], index: number): StackService => {
    const found = list[index];
    assert.ok(found, `instance ${index}`);
    return found;
  };

  it('every instance registers, and the gateways route through the registry', async () => {
    await waitFor(
      async () => (await registered('command')) === 2 && (await registered('query')) === 2,
      {
        timeoutMs: 15_000,
        description: 'two command and two query instances ready in the registry',
      },
    );
    await depositMany(40, 4);
    await balancesMatch();
  });

  it('a hung command service leaves the rotation once its lease expires', async () => {
    const hung = service(system.stack.services.commands, 0);
    process.kill(hung.pid, 'SIGSTOP'); // frozen: its connections stay open, nothing answers
    try {
      await waitFor(async () => (await registered('command')) === 1, {
        timeoutMs: (LEASE_TTL_SECONDS + 5) * 1000,
        description: 'the hung instance drops out of the registry',
      });
      // Nothing goes to the frozen process any more: no deposit waits for a deadline.
      const slowest = await depositMany(40, 4);
      assert.ok(slowest < 2000, `slowest deposit after the lease expired: ${slowest} ms`);
    } finally {
      await hung.kill('SIGKILL');
    }
    await hung.restart();
    await waitFor(async () => (await registered('command')) === 2, {
      timeoutMs: 15_000,
      description: 'the restarted instance registers again',
    });
    await balancesMatch();
  });

  it('loses nothing when a query service and a projector consumer crash under load', async () => {
    const flowing = depositMany(80, 4);
    await waitFor(() => sequence >= 100, { timeoutMs: 30_000, description: 'deposits flowing' });
    const query = service(system.stack.services.queries, 1);
    const consumer = service(system.stack.services.projectors, 2);
    await Promise.all([query.kill('SIGKILL'), consumer.kill('SIGKILL')]);
    await flowing;
    await balancesMatch(); // the remaining consumer took the partitions over
    await Promise.all([query.restart(), consumer.restart()]);
    await waitFor(async () => (await registered('query')) === 2, {
      timeoutMs: 15_000,
      description: 'the restarted query service registers again',
    });
    await depositMany(20, 4);
    await balancesMatch();
  });

  it('keeps serving on the last known set while the registry is down', async () => {
    etcd.pause();
    try {
      await waitFor(async () => (await readiness(1))?.discovery?.command?.connected === false, {
        timeoutMs: 20_000,
        description: 'the gateway says it lost the registry',
      });
      await depositMany(20, 4);
    } finally {
      etcd.resume();
    }
    await balancesMatch();
  });

  it('enforces one rate limit across both gateways', async () => {
    const sub = `scale-prober-${randomUUID()}`;
    const statuses = new Map<number, number>();
    for (let i = 0; i < LIMIT + 4; i += 1) {
      const { response } = await gatewayClient(i, sub, ['customer']).GET('/v1/accounts');
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 200: LIMIT, 429: 4 });
  });

  it('never serves a cached read after a write through the other gateway', async () => {
    const account = accounts[0] ?? '';
    const read = (gateway: number, position?: string) =>
      ok(
        gatewayClient(gateway, 'scale-owner', ['customer']).GET('/v1/accounts/{id}', {
          params: {
            path: { id: account },
            ...(position === undefined ? {} : { header: after(position) }),
          },
        }),
      );
    for (let round = 0; round < 3; round += 1) {
      const cached = await read(1);
      assert.equal((await read(1)).balance, cached.balance);
      const writer = gatewayClient(0, `scale-writer-${round}`, ['teller']);
      const written = await deposit(writer, account, '1.00');
      // The views have the deposit (read through gateway 1 with its token) ...
      await read(0, written.position);
      // ... so gateway 2, without a token, must not answer from its old entry.
      assert.equal((await read(1)).balance, written.account.balance, `round ${round}`);
      acknowledged.set(account, (acknowledged.get(account) ?? 0n) + 100n);
      depositsAcknowledged += 1;
      lastPosition =
        BigInt(written.position) > lastPosition ? BigInt(written.position) : lastPosition;
    }
    await balancesMatch();
  });
});
