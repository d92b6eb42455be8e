// Two consumers in one group while events flow: partitions move between them and back, and the
// views still equal the fold of the store.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { assertViewsMatch, BankWorkload } from '@bank/read-models/testing';
import { startProjector, type RunningProjector } from './index.js';
import { waitFor, withKafkaAdmin } from '@bank/testkit';
import { appendInBackground, createTestStack, type TestStack } from './testing/stack.js';

describe('consumer group rebalance', () => {
  let stack: TestStack;
  const running: RunningProjector[] = [];

  before(async () => {
    stack = await createTestStack('rebalance');
  });
  after(async () => {
    for (const p of running) await p.stop();
    await stack?.close();
  });

  const applied = async (p: RunningProjector) =>
    (await p.metrics.registry.getSingleMetric('projector_events_applied_total')?.get())?.values[0]
      ?.value ?? 0;
  /** The group's members, once it is stable (no rebalance under way). */
  const stableMembers = () =>
    withKafkaAdmin(async (admin) => {
      const { groups } = await admin.describeGroups([stack.groupId]);
      const group = groups[0];
      return group?.state === 'Stable' ? group.members.length : undefined;
    });

  it('keeps the views exact while a second consumer joins and the first leaves', async () => {
    const workload = new BankWorkload(99, 12);
    await stack.append(workload, 50);
    const relay = await startProjector(stack.config({ PROJECTOR_ROLE: 'relay' }), {
      logger: stack.logger,
    });
    running.push(relay);
    const first = await startProjector(stack.config({ PROJECTOR_ROLE: 'consumer' }), {
      logger: stack.logger,
    });
    running.push(first);
    const traffic = appendInBackground(stack, workload);
    await waitFor(async () => (await applied(first)) > 0, {
      timeoutMs: 30_000,
      description: 'the first consumer applying events',
    });
    const second = await startProjector(stack.config({ PROJECTOR_ROLE: 'consumer' }), {
      logger: stack.logger,
    });
    running.push(second);
    await waitFor(async () => (await stableMembers()) === 2 && (await applied(second)) > 0, {
      timeoutMs: 30_000,
      description: 'the group rebalanced onto both consumers and the second applying events',
    });
    const appliedBySecondWhileBoth = await applied(second);
    await first.stop(); // graceful: finishes its chunk, commits, leaves the group
    running.splice(running.indexOf(first), 1);
    await waitFor(
      async () =>
        (await stableMembers()) === 1 && (await applied(second)) > appliedBySecondWhileBoth,
      { timeoutMs: 30_000, description: 'the second consumer alone in the group, applying events' },
    );
    const steps = await traffic.stop();
    await stack.waitForViews(40_000);
    await assertViewsMatch(stack.schema.pool, await stack.allEvents());
    assert.ok(steps > 50, `only ${steps} steps of traffic`);
    assert.ok(appliedBySecondWhileBoth > 0, 'the second consumer never got a partition');
  });
});
