import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { measureProjectionLag, type LagSource } from './checkpoints.js';

/** A store whose events 1..head were recorded `ageOf(position)` seconds before `now`. */
function store(head: bigint, now: number, ageOf: (position: bigint) => number): LagSource {
  return {
    headPosition: () => Promise.resolve(head),
    readAll: ({ after }) =>
      Promise.resolve(
        after < head ? [{ recordedAt: new Date(now - ageOf(after + 1n) * 1000) }] : [],
      ),
  };
}

describe('measureProjectionLag', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const anHourAgo = new Date(now - 3_600_000);

  it('is the age of the oldest event not in the views, not of the newest applied one', async () => {
    // Idle for an hour, then three events arrive; the oldest of them 4 s ago.
    const lag = await measureProjectionLag(
      store(13n, now, (position) => 15 - Number(position)),
      { consistentPosition: 10n, lastEventAt: anHourAgo },
      now,
    );
    assert.equal(lag.events, 3n);
    assert.equal(lag.seconds, 4);
    assert.equal(lag.sinceLastAppliedSeconds, 3600);
  });

  it('is 0 when no event is behind, while the time since the newest applied event stays honest', async () => {
    const lag = await measureProjectionLag(
      store(10n, now, () => 3600),
      { consistentPosition: 10n, lastEventAt: anHourAgo },
      now,
    );
    assert.deepEqual(lag, {
      head: 10n,
      consistentPosition: 10n,
      events: 0n,
      seconds: 0,
      sinceLastAppliedSeconds: 3600,
    });
  });

  it('counts every event as behind before anything was applied', async () => {
    const lag = await measureProjectionLag(
      store(5n, now, () => 60),
      { consistentPosition: 0n, lastEventAt: undefined },
      now,
    );
    assert.equal(lag.events, 5n);
    assert.equal(lag.seconds, 60);
    assert.equal(lag.sinceLastAppliedSeconds, undefined);
  });
});
