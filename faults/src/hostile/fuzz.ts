import fc from 'fast-check';
import type { Findings } from '../check/findings.js';
import type { HostileFixtures } from './fixtures.js';
import type { Probe } from './probe.js';

const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['POST', '/v1/accounts'],
  ['GET', '/v1/accounts'],
  ['GET', '/v1/accounts/{id}'],
  ['POST', '/v1/accounts/{id}/deposits'],
  ['POST', '/v1/accounts/{id}/withdrawals'],
  ['POST', '/v1/accounts/{id}/holds'],
  ['POST', '/v1/accounts/{id}/holds/{id2}/capture'],
  ['POST', '/v1/accounts/{id}/holds/{id2}/release'],
  ['POST', '/v1/accounts/{id}/freeze'],
  ['POST', '/v1/accounts/{id}/unfreeze'],
  ['POST', '/v1/accounts/{id}/close'],
  ['POST', '/v1/accounts/{id}/overdraft-limit'],
  ['POST', '/v1/transfers'],
  ['POST', '/v1/transfer-batches'],
  ['GET', '/v1/transfer-batches/{id}'],
  ['GET', '/v1/transfers/{id}'],
  ['GET', '/v1/accounts/{id}/transactions'],
  ['GET', '/v1/accounts/{id}/statement'],
  ['GET', '/v1/accounts/{id}/holds'],
  ['GET', '/v1/accounts/{id}/holds/{id2}'],
];

const FIELDS = [
  'amount',
  'currency',
  'type',
  'overdraftLimit',
  'ownerId',
  'fromAccountId',
  'toAccountId',
  'reference',
  'reason',
  'expiresAt',
  'mode',
  'transfers',
];
const QUERY_KEYS = ['limit', 'cursor', 'from', 'to', 'type', 'status', 'ownerId', '__proto__', 'x'];

/**
 * Property: for any route and any path, query, headers and body an attacker can send, the
 * gateway never answers 5xx, and a 4xx leaves the event store untouched. Seeded from the run's
 * seed; fast-check shrinks a failure to a small counterexample, printed as a violation.
 */
export async function runFuzz(
  fx: HostileFixtures,
  probe: Probe,
  findings: Findings,
  seed: number,
  numRuns: number,
): Promise<number> {
  if (numRuns === 0) return 0;
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom("' OR 1=1 --", '\u0000', '\ud800', '../../etc/passwd', '%00', '😀'),
  );
  const idArb = fc.oneof(fc.constant(fx.accountA), fc.constant(fx.accountB), fc.uuid(), text);
  const amountArb = fc.oneof(
    fc
      .bigInt({ min: 0n, max: 10n ** 21n })
      .map((n) => `${n / 100n}.${(n % 100n).toString().padStart(2, '0')}`),
    fc.bigInt({ min: 0n, max: 10n ** 18n }).map(String),
    fc.constantFrom(
      '999999999999999999.99',
      '999999999999999999',
      '0.001',
      '-1.00',
      '1e3',
      '0x10',
      ' 1.00',
      '1.00\n',
      '١٢',
    ),
    text,
    fc.double().map((d) => d as unknown),
    fc.constant(null),
  );
  const bodyArb = fc.oneof(
    fc
      .dictionary(
        fc.constantFrom(...FIELDS),
        fc.oneof(
          amountArb,
          idArb,
          fc.constantFrom('USD', 'JPY', 'EUR', 'XXX', 'checking', 'atomic'),
          fc.jsonValue(),
          // A batch's legs, each made of the same hostile fields.
          fc.array(
            fc.dictionary(
              fc.constantFrom('fromAccountId', 'toAccountId', 'amount', 'reference', 'x'),
              fc.oneof(amountArb, idArb),
              { maxKeys: 4 },
            ),
            { maxLength: 3 },
          ),
        ),
        { maxKeys: 5 },
      )
      .map((o) => JSON.stringify(o)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    text,
    fc.constant(undefined),
  );
  const tokenArb = fc.constantFrom<string | undefined>(
    fx.tokens.a,
    fx.tokens.b,
    fx.tokens.teller,
    fx.tokens.admin,
    undefined,
    'garbage',
  );
  const headerArb = fc.record(
    {
      idempotency: fc.option(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 20 }),
        ),
        { nil: undefined },
      ),
      consistency: fc.option(fc.oneof(fc.bigInt({ min: -1n, max: 2n ** 70n }).map(String), text), {
        nil: undefined,
      }),
      contentType: fc.constantFrom<string | undefined>(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'multipart/form-data',
        undefined,
      ),
      ifNoneMatch: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: [] },
  );
  const queryArb = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), text), text, {
    maxKeys: 4,
  });
  let sent = 0;
  const property = fc.asyncProperty(
    fc.constantFrom(...ROUTES),
    idArb,
    idArb,
    queryArb,
    headerArb,
    tokenArb,
    bodyArb,
    async (route, id, id2, query, headers, token, body) => {
      const [method, template] = route;
      const params = new URLSearchParams(query).toString();
      const path =
        template.replace('{id}', encodePart(id)).replace('{id2}', encodePart(id2)) +
        (params ? `?${params}` : '');
      const sentHeaders: Record<string, string> = {};
      if (token) sentHeaders['authorization'] = `Bearer ${token}`;
      if (headers.idempotency !== undefined) sentHeaders['idempotency-key'] = headers.idempotency;
      if (headers.consistency !== undefined)
        sentHeaders['x-consistency-token'] = headers.consistency;
      if (headers.contentType !== undefined) sentHeaders['content-type'] = headers.contentType;
      if (headers.ifNoneMatch !== undefined) sentHeaders['if-none-match'] = headers.ifNoneMatch;
      const before = findings.violations.length;
      sent += 1;
      await probe.send(
        { method, path, headers: sentHeaders, body: method === 'GET' ? undefined : body },
        'fuzz',
      );
      return findings.violations.length === before;
    },
  );
  const result = await fc.check(property, {
    seed,
    numRuns,
    endOnFailure: true,
    interruptAfterTimeLimit: 240_000,
  });
  findings.check(
    !result.failed,
    () =>
      `fuzz: counterexample after ${result.numRuns} runs (fast-check seed ${seed}, path ${result.counterexamplePath ?? ''}): ${fc.stringify(result.counterexample).slice(0, 1500)}`,
  );
  return sent;
}

/** encodeURIComponent throws on a lone surrogate; a URL cannot carry one anyway. */
function encodePart(text: string): string {
  return encodeURIComponent(text.replace(/\p{Cs}/gu, '\uFFFD'));
}
