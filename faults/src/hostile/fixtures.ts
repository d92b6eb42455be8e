import type { TokenIssuer } from '../infra/tokens.js';
import { send } from '../workload/http.js';

/** Two customers with one account each, a transfer between them, and staff tokens. */
export interface HostileFixtures {
  readonly baseUrl: string;
  readonly ownerA: string;
  readonly ownerB: string;
  readonly accountA: string;
  readonly accountB: string;
  /** Between A's two accounts: B is no party to it. */
  readonly transferAB: string;
  /** A transfer batch of one leg between A's accounts. */
  readonly batchA: string;
  readonly tokens: {
    readonly a: string;
    readonly b: string;
    readonly teller: string;
    readonly admin: string;
  };
}

export async function createFixtures(
  baseUrl: string,
  issuer: TokenIssuer,
  runTag: string,
): Promise<HostileFixtures> {
  const ownerA = `hostile-a-${runTag}`;
  const ownerB = `hostile-b-${runTag}`;
  const tokens = {
    a: await issuer.mint(ownerA, ['customer']),
    b: await issuer.mint(ownerB, ['customer']),
    teller: await issuer.mint('hostile-teller', ['teller']),
    admin: await issuer.mint('hostile-admin', ['admin']),
  };
  const must = async (
    path: string,
    token: string,
    key: string,
    body: unknown,
  ): Promise<Record<string, unknown>> => {
    const outcome = await send(baseUrl, { method: 'POST', path, token, idempotencyKey: key, body });
    if (outcome.kind !== 'ack')
      throw new Error(`hostile fixtures: POST ${path} failed: ${JSON.stringify(outcome)}`);
    return outcome.body;
  };
  const idOf = (body: Record<string, unknown>): string =>
    String((body['account'] as Record<string, unknown>)['id']);
  const accountA = idOf(
    await must('/v1/accounts', tokens.a, `${runTag}-h-open-a`, { currency: 'USD' }),
  );
  const accountB = idOf(
    await must('/v1/accounts', tokens.b, `${runTag}-h-open-b`, { currency: 'USD' }),
  );
  const accountA2 = idOf(
    await must('/v1/accounts', tokens.a, `${runTag}-h-open-a2`, { currency: 'USD' }),
  );
  await must(`/v1/accounts/${accountA}/deposits`, tokens.teller, `${runTag}-h-dep-a`, {
    amount: '1000.00',
  });
  const transfer = await must('/v1/transfers', tokens.a, `${runTag}-h-tr`, {
    fromAccountId: accountA,
    toAccountId: accountA2,
    amount: '1.00',
  });
  const batch = await must('/v1/transfer-batches', tokens.a, `${runTag}-h-batch`, {
    mode: 'atomic',
    transfers: [{ fromAccountId: accountA, toAccountId: accountA2, amount: '1.00' }],
  });
  // The checks read these through the views: wait until the views hold all of it.
  const position = String(batch['position']); // the last command
  for (let attempt = 0; ; attempt++) {
    const read = await send(baseUrl, {
      method: 'GET',
      path: `/v1/transfers/${String(transfer['id'])}`,
      token: tokens.teller,
      consistencyToken: position,
    });
    if (read.kind === 'ack') break;
    if (attempt >= 10)
      throw new Error(
        `hostile fixtures: the views never reached ${position}: ${JSON.stringify(read)}`,
      );
  }
  return {
    baseUrl,
    ownerA,
    ownerB,
    accountA,
    accountB,
    transferAB: String(transfer['id']),
    batchA: String(batch['id']),
    tokens,
  };
}
