import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { accountStream, transferStream } from '@bank/domain';
import {
  createTestSchema,
  startProcess,
  testCertificates,
  waitFor,
  type StartedProcess,
  type TestSchema,
} from '@bank/testkit';
import type { RunningCommandService } from '../index.js';
import {
  call,
  connect,
  ctx,
  openFunded,
  rpc,
  startTestService,
  TELLER,
  testConfigEnv,
  TRANSFER_MODES,
} from '../testing/harness.js';
import { accountFromStore, eventsOfType, streamEvents } from '../testing/store-queries.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * The crashing instance runs transfers through the process manager (its store's atomic append
 * switched off). The one that recovers runs either the same way, or with the atomic append: a
 * transfer an older version left half-done must be finished there too, before its recovery
 * worker stops following.
 */
for (const recoverer of TRANSFER_MODES)
  describe(`transfer recovery after a crash between debit and credit, recovered by an instance running transfers through ${recoverer.name}`, () => {
    let schema: TestSchema;
    let child: StartedProcess | undefined;
    let service: RunningCommandService | undefined;

    before(async () => {
      schema = await createTestSchema('cmd_recovery');
      // The crashing instance is a child process: its certificates must exist when it starts.
      await testCertificates();
    });
    after(async () => {
      await child?.kill();
      await service?.stop();
      await schema.drop();
    });

    it('finishes the transfer in the next instance, each leg exactly once', async () => {
      child = await startProcess(
        process.execPath,
        [MAIN],
        testConfigEnv(schema.url, {
          LOG_LEVEL: 'info',
          COMMAND_SERVICE_TEST_CRASH_AFTER_LEG: 'debit',
          EVENT_STORE_MULTI_STREAM_APPEND: 'off',
        }),
        /command service listening/,
      );
      const port = Number(/"port":(\d+)/.exec(child.output)?.[1]);
      const crashing = connect(port);
      const from = await openFunded(crashing, '100.00');
      const to = await openFunded(crashing, '1.00');
      const request = {
        context: ctx(TELLER, 'transfer-that-crashes'),
        fromAccountId: from,
        toAccountId: to,
        amount: '25.00',
      };
      const failure = await call(crashing, rpc.requestTransfer, request).then(
        () => assert.fail('the crashing instance answered the transfer'),
        (error: unknown) => error,
      );
      // Bounded: an instance that refused the call instead of crashing would never exit.
      const exit = await Promise.race([
        child.exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `the instance did not crash after the debit (the call ended with ${String(failure)}):\n${child?.output.slice(-2000) ?? ''}`,
                ),
              ),
            30_000,
          ).unref(),
        ),
      ]);
      assert.equal(exit.signal, 'SIGKILL');
      crashing.close();

      // Half-done: the money left the source and arrived nowhere.
      assert.equal((await eventsOfType(schema.pool, 'TransferDebited')).length, 1);
      assert.equal((await eventsOfType(schema.pool, 'TransferCredited')).length, 0);
      const [requested] = await eventsOfType(schema.pool, 'TransferRequested');
      const transferId = String(requested?.data['transferId']);

      service = await startTestService(schema.url, {
        ...recoverer.env,
        TRANSFER_RECOVERY_INTERVAL_MS: '100',
        TRANSFER_RECOVERY_MIN_AGE_MS: '0',
      });
      await waitFor(
        async () =>
          (await streamEvents(schema.pool, transferStream(transferId))).some(
            (e) => e.type === 'TransferCompleted',
          ),
        { timeoutMs: 10_000, description: 'the recovered transfer to complete' },
      );

      const source = await accountFromStore(schema.pool, from);
      const destination = await accountFromStore(schema.pool, to);
      assert.ok(source.status !== 'none' && destination.status !== 'none');
      assert.equal(source.balance, 7500n);
      assert.equal(destination.balance, 2600n);
      const legs = async (accountId: string, type: string) =>
        (await streamEvents(schema.pool, accountStream(accountId))).filter((e) => e.type === type)
          .length;
      assert.equal(await legs(from, 'TransferDebited'), 1);
      assert.equal(await legs(to, 'TransferCredited'), 1);
      const steps = (await streamEvents(schema.pool, transferStream(transferId))).map(
        (e) => e.type,
      );
      assert.deepEqual(steps, [
        'TransferRequested',
        'TransferSourceDebited',
        'TransferDestinationCredited',
        'TransferCompleted',
      ]);

      const metrics = await service.registry.getSingleMetricAsString(
        'command_service_transfers_recovered_total',
      );
      assert.match(metrics, /command_service_transfers_recovered_total\{[^}]*\} 1/);

      // The client's retry of the crashed request now gets the finished transfer.
      const client = connect(service.port);
      const retried = await call(client, rpc.requestTransfer, request);
      client.close();
      assert.equal(retried.status, 'completed');
      assert.equal(retried.replayed, true);
      assert.equal(retried.transferId, transferId);
    });
  });
