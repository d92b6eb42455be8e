import { runBank } from '@bank/testkit';
import type { Findings } from '../check/findings.js';
import { send, type HttpRequest, type Outcome } from '../workload/http.js';
import type { HostileFixtures } from './fixtures.js';

const ROUNDS = 3;
const WORKERS = 4;

/**
 * `bank rebuild all` under live read-your-writes traffic: while each rebuild runs (and swaps),
 * workers open fresh accounts and deposit into accounts of their own, and read each right after
 * with the command's position as X-Consistency-Token. Every read must answer 200 with the state
 * the token names (the fresh account found, the balance including the deposit): the swap
 * promises the old views or the new, and the token promises no older than the command.
 */
export async function runRebuildUnderReads(
  fx: HostileFixtures,
  databaseUrl: string,
  findings: Findings,
  runTag: string,
): Promise<number> {
  let sent = 0;
  const call = async (label: string, request: HttpRequest): Promise<Outcome> => {
    sent += 1;
    const outcome = await send(fx.baseUrl, { token: fx.tokens.teller, ...request });
    findings.check(
      outcome.kind === 'ack',
      () => `rebuild under reads: ${label} → ${JSON.stringify(outcome).slice(0, 300)}`,
    );
    return outcome;
  };
  const command = async (label: string, path: string, key: string, body: unknown) => {
    const outcome = await call(label, { method: 'POST', path, idempotencyKey: key, body });
    const json = outcome.kind === 'ack' ? outcome.body : {};
    const account = (json['account'] ?? {}) as Record<string, unknown>;
    return { id: String(account['id']), position: String(json['position']) };
  };
  const read = async (label: string, id: string, position: string) => {
    const outcome = await call(label, {
      method: 'GET',
      path: `/v1/accounts/${id}`,
      consistencyToken: position,
    });
    return outcome.kind === 'ack' ? outcome.body['balance'] : undefined;
  };

  for (let round = 1; round <= ROUNDS; round += 1) {
    let done = false;
    const rebuild = runBank(['rebuild', 'all', '--batch-size', '100'], databaseUrl).finally(
      () => (done = true),
    );
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      const tag = `${runTag}-rebuild-${round}-${w}`;
      const open = (step: number) =>
        command(`round ${round} open`, '/v1/accounts', `${tag}-open-${step}`, {
          currency: 'USD',
          ownerId: `hostile-rebuild-${tag}`,
        });
      const own = await open(0);
      for (let step = 1; !done; step += 1) {
        const fresh = await open(step);
        await read(`round ${round} fresh account ${fresh.id}`, fresh.id, fresh.position);
        const deposited = await command(
          `round ${round} deposit`,
          `/v1/accounts/${own.id}/deposits`,
          `${tag}-deposit-${step}`,
          { amount: '1.00' },
        );
        const balance = await read(`round ${round} own account`, own.id, deposited.position);
        // A failed read is already a violation; the balance is checked on the answers.
        findings.check(
          balance === undefined || balance === `${step}.00`,
          () =>
            `rebuild under reads: round ${round}: token ${deposited.position} read balance ${String(balance)}, expected ${step}.00`,
        );
      }
    });
    const [result] = await Promise.all([rebuild, ...workers]);
    findings.check(
      result.code === 0,
      () => `rebuild under reads: bank rebuild all exited ${result.code}: ${result.output}`,
    );
  }
  return sent;
}
