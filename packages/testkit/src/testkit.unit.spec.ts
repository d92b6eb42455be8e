import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { startProcess } from './process.js';
import { waitFor } from './wait-for.js';
import { kafkaBrokers, uniqueTopicName } from './kafka.js';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), {
      intervalMs: 1,
    });
    assert.equal(value, 'after 3');
  });

  it('times out naming what it waited for and the last error', async () => {
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'the moon' },
      ),
      /the moon not met within 30 ms: last error: not yet/,
    );
  });
});

describe('startProcess', () => {
  const script = `console.log('listening on ' + process.env.GREETING); setInterval(() => {}, 1000);`;

  it('waits for the ready line, then can crash the process with SIGKILL', async () => {
    const proc = await startProcess(
      process.execPath,
      ['-e', script],
      { GREETING: 'port 1' },
      /listening on port \d/,
    );
    assert.match(proc.output, /listening on port 1/);
    assert.ok(proc.pid > 0);
    assert.deepEqual(await proc.kill(), { code: null, signal: 'SIGKILL' });
  });

  it('stops a process gracefully with SIGTERM', async () => {
    const graceful = `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);`;
    const proc = await startProcess(process.execPath, ['-e', graceful], {}, 'up');
    assert.deepEqual(await proc.stop(), { code: 0, signal: null });
    assert.match(proc.output, /bye/);
  });

  it('accepts a readiness check', async () => {
    let checks = 0;
    const proc = await startProcess(process.execPath, ['-e', script], {}, () => ++checks > 2);
    await proc.kill();
    assert.ok(checks > 2);
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    await assert.rejects(
      startProcess(process.execPath, ['-e', "console.error('boom'); process.exit(3)"], {}, 'never'),
      /exited \(code 3, signal null\) before it was ready[\s\S]*boom/,
    );
  });
});

describe('kafka helpers', () => {
  it('builds valid unique topic names', () => {
    const a = uniqueTopicName('bank.events');
    assert.match(a, /^bank\.events-[a-z0-9]+-[0-9a-f]{8}$/);
    assert.notEqual(a, uniqueTopicName('bank.events'));
  });

  it('fails loudly when KAFKA_BROKERS is missing', () => {
    const saved = process.env['KAFKA_BROKERS'];
    delete process.env['KAFKA_BROKERS'];
    try {
      assert.throws(() => kafkaBrokers(), /KAFKA_BROKERS is not set/);
      process.env['KAFKA_BROKERS'] = ' 127.0.0.1:1 , 127.0.0.1:2 ';
      assert.deepEqual(kafkaBrokers(), ['127.0.0.1:1', '127.0.0.1:2']);
    } finally {
      if (saved === undefined) delete process.env['KAFKA_BROKERS'];
      else process.env['KAFKA_BROKERS'] = saved;
    }
  });
});
