import { strict as assert } from 'node:assert';
import { after as afterAll, before, describe, it } from 'node:test';
import { runBank } from '@bank/testkit';
import { after, deposit, openAccount, type Api } from './support/api.js';
import { startSystem, type System } from './support/system.js';

const ROUNDS = 6;
const WORKERS = 6;

/**
 * `bank rebuild all` swaps rebuilt views in while the system serves. Its promise (the old views
 * or the new, never an empty or half-built one) and read-your-writes must both hold through the
 * swap: a read carrying a command's position as X-Consistency-Token shows that command, whether
 * it runs against the old tables, waits for the swap, or runs against the new ones.
 */
describe('a rebuild under read-your-writes reads', () => {
  let system: System;
  let teller: Api;

  before(async () => {
    system = await startSystem('e2e_rebuild_ryw', { embedded: true });
    teller = system.api('teller-1', ['teller']);
    // Some history for the rebuild to fold before it reaches the live commands.
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const { account } = await openAccount(teller, { currency: 'USD', ownerId: `history-${i}` });
        for (let n = 0; n < 40; n += 1) await deposit(teller, account.id, '1.00');
      }),
    );
  });
  afterAll(() => system?.stop());

  it('answers every token-carrying read with the state its token names, through every swap', async () => {
    const failures: string[] = [];
    let reads = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const rebuild = runBank(['rebuild', 'all', '--batch-size', '50'], system.schema.url);
      let done = false;
      void rebuild.then(() => (done = true));
      // Each worker owns one account (only it deposits there, so it knows the exact balance a
      // token names) and opens a fresh account per step, which must be found at once.
      const workers = Array.from({ length: WORKERS }, async (_, w) => {
        const owner = `round-${round}-worker-${w}`;
        const own = await openAccount(teller, { currency: 'USD', ownerId: owner });
        let deposits = 0;
        while (!done) {
          const opened = await openAccount(teller, { currency: 'USD', ownerId: owner });
          const fresh = await readWith(teller, opened.account.id, opened.position);
          reads += 1;
          if (fresh.status !== 200)
            failures.push(`round ${round}: fresh account → ${fresh.status} ${fresh.text}`);

          const deposited = await deposit(teller, own.account.id, '1.00');
          deposits += 1;
          const expected = `${deposits}.00`;
          for (let i = 0; i < 3; i += 1) {
            const read = await readWith(teller, own.account.id, deposited.position);
            reads += 1;
            if (read.status !== 200 || read.balance !== expected) {
              failures.push(
                `round ${round}: token ${deposited.position} → ${read.status} balance ${String(read.balance)}, expected ${expected}`,
              );
            }
          }
        }
      });
      const [result] = await Promise.all([rebuild, ...workers]);
      assert.equal(result.code, 0, result.output);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${reads} reads were wrong`);
    assert.ok(reads > ROUNDS * WORKERS * 4, `only ${reads} reads ran`);
  });
});

async function readWith(
  api: Api,
  accountId: string,
  token: string,
): Promise<{ status: number; balance: string | undefined; text: string }> {
  const { data, error, response } = await api.GET('/v1/accounts/{id}', {
    params: { path: { id: accountId }, header: after(token) },
  });
  return {
    status: response.status,
    balance: data?.balance,
    text: JSON.stringify(data ?? error),
  };
}
