import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { waitFor, type StackService } from '@bank/testkit';
import { after, command, ok, type Api } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * Two command-service instances behind one gateway: requests are spread over both, and when
 * one stops (SIGTERM) while deposits flow, the gateway retries UNAVAILABLE on the other so that
 * no request fails and every acknowledged deposit, and only those, is in the balance. The
 * gateway is called through the client typed from its own OpenAPI document.
 */
describe('load balancing over two command-service instances', () => {
  let system: System;
  let teller: Api;
  /**
   * Deposits go round the accounts. The gateway sends the commands of one account to one
   * instance (its command stream), so the two instances do not race on an account's stream.
   */
  let accounts: string[];
  /** Minor units of every acknowledged deposit. */
  let acknowledged = 0n;
  let lastPosition = '0';
  let sequence = 0;

  before(async () => {
    system = await startSystem('e2e_lb', { commandInstances: 2 });
    teller = system.api('teller-1', ['teller']);
    accounts = [];
    for (let i = 0; i < 16; i += 1) {
      const opened = await ok(
        teller.POST('/v1/accounts', {
          params: { header: command() },
          body: { currency: 'USD', ownerId: 'lena' },
        }),
      );
      accounts.push(opened.account.id);
    }
  });
  afterAll(() => system?.stop());

  /** One deposit of 0.01 .. 0.99; counts it when acknowledged. */
  const deposit = async () => {
    sequence += 1;
    const cents = BigInt((sequence % 99) + 1);
    const id = accounts[sequence % accounts.length] ?? '';
    const answer = await teller.POST('/v1/accounts/{id}/deposits', {
      params: { path: { id }, header: command() },
      body: { amount: `0.${cents.toString().padStart(2, '0')}` },
    });
    if (answer.response.status === 200 && answer.data) {
      acknowledged += cents;
      const { position } = answer.data;
      if (BigInt(position) > BigInt(lastPosition)) lastPosition = position;
    }
    return answer;
  };

  /** Runs `count` deposits, `concurrency` at a time; resolves with the failed ones. */
  const depositMany = async (count: number, concurrency: number): Promise<string[]> => {
    const failures: string[] = [];
    let started = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < count) {
          started += 1;
          const { response, data, error } = await deposit();
          if (response.status !== 200) {
            failures.push(`${response.status} ${JSON.stringify(data ?? error)}`);
          }
        }
      }),
    );
    return failures;
  };

  /** The count of an instance's command histogram, over the lines that include `label`. */
  const commandsServed = async (service: StackService, label = ''): Promise<number> => {
    const text = await (await fetch(service.metricsUrl)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('command_service_command_duration_seconds_count'))
      .filter((line) => line.includes(label))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const depositsServed = (service: StackService) => commandsServed(service, 'command="Deposit"');

  /** The balances of every account, in cents, as read right after the last acknowledged write. */
  const balanceCents = async (): Promise<bigint> => {
    let total = 0n;
    for (const id of accounts) {
      const account = await ok(
        teller.GET('/v1/accounts/{id}', { params: { path: { id }, header: after(lastPosition) } }),
      );
      const [units = '0', cents = '0'] = account.balance.split('.');
      total += BigInt(units) * 100n + BigInt(cents);
    }
    return total;
  };

  it('spreads 200 deposits over both instances, an account on one of them', async () => {
    assert.deepEqual(await depositMany(200, 8), []);
    const [first, second] = system.stack.services.commands;
    assert.ok(first && second);
    const deposits = [await depositsServed(first), await depositsServed(second)];
    assert.ok(
      deposits.every((count) => count > 0),
      `deposits served per instance: ${deposits.join(', ')}`,
    );
    assert.equal((deposits[0] ?? 0) + (deposits[1] ?? 0), 200);
    assert.equal(await balanceCents(), acknowledged);
  });

  it('loses no request when one instance is stopped while deposits flow', async () => {
    const [first, second] = system.stack.services.commands;
    assert.ok(first && second);
    const flowing = depositMany(200, 8);
    await waitFor(() => sequence >= 260, { timeoutMs: 30_000, description: '60 more deposits' });
    const exit = await first.kill('SIGTERM');
    assert.equal(exit.code, 0, `graceful stop; output:\n${first.output.slice(-2000)}`);
    assert.deepEqual(await flowing, []);
    assert.equal(sequence, 400);
    assert.equal(await balanceCents(), acknowledged);
  });

  it('sends work to the instance again once it is restarted', async () => {
    const [first] = system.stack.services.commands;
    assert.ok(first);
    await first.restart();
    const failures: string[] = [];
    await waitFor(
      async () => {
        failures.push(...(await depositMany(10, 2)));
        return (await commandsServed(first)) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the restarted instance serves' },
    );
    assert.deepEqual(failures, []);
    assert.equal(await balanceCents(), acknowledged);
  });
});
