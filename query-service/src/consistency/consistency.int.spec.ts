import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { grpc, METADATA } from '@bank/platform';
import { waitFor } from '@bank/testkit';
import type { QueryClient } from '../testing/query-client.js';
import { startHarness, type Harness } from '../testing/harness.js';
import { advanceWatermark, insertAccount } from '../testing/seed.js';

describe('read-your-writes consistency', () => {
  let h: Harness;
  let account: string;
  let impatient: QueryClient;

  before(async () => {
    // The fallback poll is slowed to a minute: only the NOTIFY can wake a waiting query in time.
    h = await startHarness({ consistencyWaitMs: 3000, consistencyPollMs: 60_000 });
    account = await insertAccount(h.schema.pool, { ownerId: 'ivy' });
    await advanceWatermark(h.schema.pool, 'watermark:0', 100n);
    await advanceWatermark(h.schema.pool, 'watermark:1', 50n);
    impatient = (await h.startAnother({ consistencyWaitMs: 300 })).client;
  });
  after(() => h.close());

  it('answers at once when the views already include the token', async () => {
    // A service that would poll only every minute and may wait half a minute: an answer well
    // inside either came from the position it read, not from waiting for a poll or a NOTIFY.
    const patient = await h.startAnother({ consistencyPollMs: 60_000, consistencyWaitMs: 30_000 });
    const started = performance.now();
    await patient.client.call('GetAccount', {
      accountId: account,
      options: { consistencyToken: '50' },
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5_000, `answered after ${Math.round(elapsed)} ms`);
  });

  it('waits for the slowest partition and returns as soon as its watermark moves', async () => {
    const started = performance.now();
    let settled = false;
    const answered = h.client
      .call('GetAccount', { accountId: account, options: { consistencyToken: '80' } })
      .finally(() => (settled = true));
    await waitFor(() => h.listening(), { description: 'the query waiting on a LISTEN session' });
    await advanceWatermark(h.schema.pool, 'watermark:1', 79n); // the minimum is still short of 80
    // A query for 79 is answered once the service has read 79: the one for 80 must still wait.
    await h.client.call('GetAccount', { accountId: account, options: { consistencyToken: '79' } });
    assert.equal(settled, false, 'it did wait');
    const advancedAt = performance.now();
    await advanceWatermark(h.schema.pool, 'watermark:1', 120n);
    await answered;
    const waited = performance.now() - started;
    const afterNotify = performance.now() - advancedAt;
    console.log(
      `# consistency wait: answered ${afterNotify.toFixed(1)} ms after the NOTIFY (waited ${waited.toFixed(0)} ms)`,
    );
    assert.ok(afterNotify < 250, `answered ${afterNotify} ms after the NOTIFY`);
  });

  it('wakes many waiters with one notification', async () => {
    // A fresh instance: it listens only once these queries wait.
    const waiting = await h.startAnother({});
    const calls = Array.from({ length: 50 }, (_, i) =>
      waiting.client.call('GetAccount', {
        accountId: account,
        options: { consistencyToken: String(130 + (i % 5)) },
      }),
    );
    await waitFor(() => waiting.listening(), {
      description: 'the queries waiting on a LISTEN session',
    });
    const advancedAt = performance.now();
    await Promise.all([
      advanceWatermark(h.schema.pool, 'watermark:0', 200n, { notify: false }),
      advanceWatermark(h.schema.pool, 'watermark:1', 140n, { notify: false }),
    ]);
    await h.schema.pool.query('notify bank_projection_advanced');
    await Promise.all(calls);
    assert.ok(performance.now() - advancedAt < 500);
  });

  it('times out with UNAVAILABLE, CONSISTENCY_TIMEOUT and a retry hint', async () => {
    const started = performance.now();
    const failure = await impatient.failure('GetAccount', {
      accountId: account,
      options: { consistencyToken: '999999' },
    });
    const waited = performance.now() - started;
    assert.equal(failure.status, grpc.status.UNAVAILABLE);
    assert.equal(failure.appError.code, 'CONSISTENCY_TIMEOUT');
    assert.equal(failure.trailers?.get(METADATA.retryAfterMs)[0], '1000');
    assert.ok(waited >= 290 && waited < 1500, `waited ${waited} ms for a 300 ms bound`);
  });

  it("gives up at the caller's deadline when that comes first", async () => {
    const started = performance.now();
    const failure = await h.client.failure(
      'GetAccount',
      { accountId: account, options: { consistencyToken: '999999' } },
      { deadlineMs: 200 },
    );
    assert.equal(failure.status, grpc.status.DEADLINE_EXCEEDED);
    assert.ok(performance.now() - started < 1000);
  });

  it('rejects a token that is not a non-negative integer', async () => {
    for (const token of ['abc', '-1', '1.5', ' 1', '99999999999999999999']) {
      const failure = await h.client.failure('GetAccount', {
        accountId: account,
        options: { consistencyToken: token },
      });
      assert.equal(failure.status, grpc.status.INVALID_ARGUMENT, token);
    }
  });

  it('reports the checkpoints, the consistent position and the age of the newest applied event', async () => {
    await advanceWatermark(h.schema.pool, 'watermark:0', 300n, {
      lastEventAt: new Date(Date.now() - 5000).toISOString(),
    });
    await h.schema.pool.query(
      `insert into projection_checkpoints (name, position, updated_at) values ('relay', 400, now())`,
    );
    const status = (await h.client.call('GetProjectionStatus', {})) as {
      consistentPosition: string;
      checkpoints: { name: string; position: string }[];
      secondsSinceLastApplied: number;
    };
    assert.equal(status.consistentPosition, '140');
    assert.deepEqual(
      status.checkpoints.map((c) => [c.name, c.position]),
      [
        ['relay', '400'],
        ['watermark:0', '300'],
        ['watermark:1', '140'],
      ],
    );
    assert.ok(
      status.secondsSinceLastApplied >= 5 && status.secondsSinceLastApplied < 10,
      String(status.secondsSinceLastApplied),
    );
  });

  it('exports the query and consistency metrics', async () => {
    const response = await fetch(`http://127.0.0.1:${h.service.metricsPort}/metrics`);
    const text = await response.text();
    assert.match(
      text,
      /query_service_query_duration_seconds_count\{[^}]*rpc="GetAccount",outcome="ok"/,
    );
    assert.match(
      text,
      /query_service_query_duration_seconds_count\{[^}]*rpc="GetAccount",outcome="VALIDATION_FAILED"/,
    );
    assert.match(text, /query_service_consistency_wait_seconds_count\{[^}]*outcome="reached"/);
    assert.match(text, /query_service_consistency_wait_seconds_count\{[^}]*outcome="deadline"/);
    assert.equal((await fetch(`http://127.0.0.1:${h.service.metricsPort}/readyz`)).status, 200);
  });
});
