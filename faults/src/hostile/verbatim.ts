import type pg from 'pg';
import type { Findings } from '../check/findings.js';
import type { HostileFixtures } from './fixtures.js';
import { jsonHeaders, type Probe } from './probe.js';

/** Text that breaks naive SQL, JSON, HTML or Unicode handling. Each must come back verbatim. */
export const NASTY_STRINGS: readonly string[] = [
  "'; DROP TABLE transfers; --",
  "Robert'); DELETE FROM accounts WHERE ('1'='1",
  '" OR ""="',
  "1' UNION SELECT password FROM pg_shadow --",
  '$$; SELECT pg_sleep(10); $$',
  '\\x00\\\\ backslashes \\n',
  '%s%n%x %d {0} ${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '日本語の参照 — ünïcödé',
  'e\u0301 (combining) ﬁ ligature',
  '\u202Eevil RTL override',
  '😀👍🏽👨‍👩‍👧 emoji',
  'zero\u200Bwidth\uFEFFbom',
  ' leading and trailing spaces ',
  'x'.repeat(140),
];

/**
 * Text the API may refuse with a 400 (never a 5xx): NUL and lone surrogates cannot be stored as
 * PostgreSQL text; the command service refuses control characters. Stored, they must be verbatim.
 */
const UNSTORABLE: readonly string[] = [
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'tab\tnewline\ncr\r',
];

export async function runVerbatim(
  fx: HostileFixtures,
  pool: pg.Pool,
  probe: Probe,
  findings: Findings,
  runTag: string,
): Promise<number> {
  let sent = 0;
  for (const [i, text] of [...NASTY_STRINGS, ...UNSTORABLE].entries()) {
    const must = i < NASTY_STRINGS.length;
    const transfer = await probe.send(
      {
        method: 'POST',
        path: '/v1/transfers',
        headers: jsonHeaders(fx.tokens.teller, { 'idempotency-key': `${runTag}-verbatim-t-${i}` }),
        body: JSON.stringify({
          fromAccountId: fx.accountA,
          toAccountId: fx.accountB,
          amount: '0.01',
          reference: text,
        }),
      },
      `verbatim reference #${i}`,
    );
    sent += 1;
    if (transfer.status === 201) {
      const id = String((JSON.parse(transfer.body) as Record<string, unknown>)['id']);
      const read = await probe.send(
        {
          method: 'GET',
          path: `/v1/transfers/${id}`,
          headers: {
            ...jsonHeaders(fx.tokens.teller),
            'x-consistency-token': String(
              (JSON.parse(transfer.body) as Record<string, unknown>)['position'],
            ),
          },
        },
        `verbatim read #${i}`,
      );
      sent += 1;
      const returned =
        read.status === 200
          ? (JSON.parse(read.body) as Record<string, unknown>)['reference']
          : undefined;
      findings.check(
        returned === text,
        () =>
          `verbatim: reference ${JSON.stringify(text)} came back as ${JSON.stringify(returned)} (${read.status})`,
      );
      const { rows } = await pool.query<{ reference: string }>(
        'SELECT reference FROM transfers WHERE transfer_id = $1',
        [id],
      );
      findings.check(
        rows[0]?.reference === text,
        () =>
          `verbatim: reference ${JSON.stringify(text)} stored as ${JSON.stringify(rows[0]?.reference)}`,
      );
    } else {
      findings.check(
        !must && transfer.status === 400,
        () =>
          `verbatim: transfer with reference ${JSON.stringify(text)} → ${transfer.status} ${transfer.body.slice(0, 200)}`,
      );
    }
    const freeze = await probe.send(
      {
        method: 'POST',
        path: `/v1/accounts/${fx.accountB}/freeze`,
        headers: jsonHeaders(fx.tokens.admin, { 'idempotency-key': `${runTag}-verbatim-f-${i}` }),
        body: JSON.stringify({ reason: text }),
      },
      `verbatim freeze reason #${i}`,
    );
    sent += 1;
    if (freeze.status === 200) {
      const { rows } = await pool.query<{ reason: string }>(
        `SELECT data->>'reason' AS reason FROM events WHERE stream_id = $1 AND type = 'AccountFrozen' ORDER BY position DESC LIMIT 1`,
        [`account-${fx.accountB}`],
      );
      findings.check(
        rows[0]?.reason === text,
        () =>
          `verbatim: freeze reason ${JSON.stringify(text)} stored as ${JSON.stringify(rows[0]?.reason)}`,
      );
      await probe.send(
        {
          method: 'POST',
          path: `/v1/accounts/${fx.accountB}/unfreeze`,
          headers: jsonHeaders(fx.tokens.admin, { 'idempotency-key': `${runTag}-verbatim-u-${i}` }),
          body: '{}',
        },
        'verbatim unfreeze',
      );
      sent += 1;
    } else {
      findings.check(
        !must && freeze.status === 400,
        () =>
          `verbatim: freeze with reason ${JSON.stringify(text)} → ${freeze.status} ${freeze.body.slice(0, 200)}`,
      );
    }
  }
  return sent;
}
