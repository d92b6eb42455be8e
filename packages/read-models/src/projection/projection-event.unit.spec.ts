import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isCanonicalInstant, toProjectionEvent } from './projection-event.js';

/** What the projection did for every time before the fast path: parse, then print. */
const normalised = (value: string): string | undefined => {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

describe('isCanonicalInstant', () => {
  it('agrees with parsing and printing on real instants, edge days and near misses', () => {
    const samples = [
      '2024-02-29T00:00:00.000Z',
      '2000-02-29T12:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z', // not a leap year: Date rolls it over to March 1st
      '1900-02-29T12:00:00.000Z', // nor is 1900
      '2026-02-30T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.000+00:00',
      '2026-01-01 00:00:00.000Z',
      '2026-01-01T00:00:00.00aZ',
      '+02026-01-01T00:00:00.000Z',
      'not a time at all, 24 ch',
    ];
    let seed = 7;
    for (let i = 0; i < 2000; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const instant = new Date(Date.UTC(1970, 0, 1) + seed * 1_500).toISOString();
      samples.push(instant);
      // The same instant with one character changed to a digit or a separator.
      const at = seed % instant.length;
      samples.push(instant.slice(0, at) + '9-:T.Z'[seed % 6] + instant.slice(at + 1));
    }
    for (const sample of samples) {
      assert.equal(
        isCanonicalInstant(sample),
        normalised(sample) === sample,
        `${JSON.stringify(sample)}: normalised to ${normalised(sample)}`,
      );
    }
  });

  it('leaves the projection time as it was: canonical kept, anything else normalised', () => {
    const event = (occurredAt: unknown) =>
      toProjectionEvent({
        streamId: 'account-11111111-1111-4111-8111-111111111111',
        revision: 1n,
        position: 2n,
        eventId: '00000000-0000-4000-8000-000000000001',
        type: 'FundsDeposited',
        data: { accountId: '11111111-1111-4111-8111-111111111111', amount: '100' },
        metadata: { occurredAt },
        recordedAt: new Date('2026-03-04T05:06:07.089Z'),
      }).occurredAt;
    assert.equal(event('2026-01-02T03:04:05.678Z'), '2026-01-02T03:04:05.678Z');
    assert.equal(event('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000Z');
    assert.equal(event('2026-02-29T00:00:00.000Z'), '2026-03-01T00:00:00.000Z');
    assert.equal(event(42), '2026-03-04T05:06:07.089Z', 'falls back to the recorded time');
  });
});
