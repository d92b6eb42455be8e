import type { Findings } from '../check/findings.js';
import type { TokenIssuer } from '../infra/tokens.js';
import type { HostileFixtures } from './fixtures.js';
import { jsonHeaders, type Probe } from './probe.js';

/**
 * What a naive id derivation might join (principal, Idempotency-Key) with: nothing, each
 * character a JWT `sub` may contain, doubled separators, and length-prefix look-alikes.
 */
const JOINS: readonly string[] = ['', ':', '|', '.', '@', '-', '_', '::', '1:', '3:'];

type Json = Record<string, unknown>;

/**
 * Pairs of customers whose (principal, key) join to the same string under one of the joins:
 * customer P with key `x<join>k` and customer `P<join>x` with key `k`. Each must get its own
 * command: its own account on open, its own transfer with its own amount, never the other's
 * answer and never `Idempotent-Replayed`.
 */
export async function runCollisions(
  fx: HostileFixtures,
  issuer: TokenIssuer,
  probe: Probe,
  findings: Findings,
  runTag: string,
): Promise<number> {
  let sent = 0;
  const post = async (label: string, token: string, key: string, path: string, body: Json) => {
    sent += 1;
    const answer = await probe.send(
      {
        method: 'POST',
        path,
        headers: jsonHeaders(token, { 'idempotency-key': key }),
        body: JSON.stringify(body),
      },
      label,
    );
    return { ...answer, json: parse(answer.body) };
  };
  for (const [i, join] of JOINS.entries()) {
    const base = `hc${i}-${runTag}`;
    const customers = [
      { sub: base, keyOf: (tail: string) => `x${join}${tail}` },
      { sub: `${base}${join}x`, keyOf: (tail: string) => tail },
    ].map((c) => ({ ...c, token: '', account: '' }));
    const where = (sub: string) => `collision join ${JSON.stringify(join)} as ${sub}`;
    for (const c of customers) {
      c.token = await issuer.mint(c.sub, ['customer']);
      const opened = await post(`${where(c.sub)}: open`, c.token, c.keyOf('open'), '/v1/accounts', {
        currency: 'USD',
      });
      const account = (opened.json['account'] ?? {}) as Json;
      c.account = String(account['id']);
      findings.check(
        opened.status === 201 && !opened.replayed && account['ownerId'] === c.sub,
        () =>
          `${where(c.sub)}: open → ${opened.status}${opened.replayed ? ' (replayed)' : ''} owner ${String(account['ownerId'])}`,
      );
      const funded = await post(
        `${where(c.sub)}: fund`,
        fx.tokens.teller,
        `${base}-fund-${customers.indexOf(c)}`,
        `/v1/accounts/${c.account}/deposits`,
        { amount: '100.00' },
      );
      findings.check(funded.status === 200, () => `${where(c.sub)}: fund → ${funded.status}`);
    }
    const [first, second] = customers as [(typeof customers)[0], (typeof customers)[0]];
    findings.check(
      first.account !== second.account,
      () => `${where(second.sub)}: was given ${first.sub}'s account ${first.account}`,
    );
    const payments = [
      { from: first, to: second, amount: '0.01' },
      { from: second, to: first, amount: '80.00' },
    ];
    let position = '0';
    for (const { from, to, amount } of payments) {
      const paid = await post(
        `${where(from.sub)}: pay`,
        from.token,
        from.keyOf('pay'),
        '/v1/transfers',
        {
          fromAccountId: from.account,
          toAccountId: to.account,
          amount,
        },
      );
      if (typeof paid.json['position'] === 'string') position = paid.json['position'];
      findings.check(
        paid.status === 201 && !paid.replayed && paid.json['amount'] === amount,
        () =>
          `${where(from.sub)}: transfer of ${amount} → ${paid.status}${paid.replayed ? ' (replayed)' : ''} ${paid.body.slice(0, 200)}`,
      );
    }
    for (const [c, balance] of [
      [first, '179.99'],
      [second, '20.01'],
    ] as const) {
      sent += 1;
      const read = await probe.send(
        {
          method: 'GET',
          path: `/v1/accounts/${c.account}`,
          headers: { ...jsonHeaders(c.token), 'x-consistency-token': position },
        },
        `${where(c.sub)}: read`,
      );
      const got = parse(read.body)['balance'];
      findings.check(
        read.status === 200 && got === balance,
        () => `${where(c.sub)}: balance ${String(got)} (${read.status}), expected ${balance}`,
      );
    }
  }
  return sent;
}

function parse(body: string): Json {
  try {
    return JSON.parse(body) as Json;
  } catch {
    return {};
  }
}
