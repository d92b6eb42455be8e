import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './testing/harness.js';

/**
 * A client that sends its headers and then trickles the body must not hold a connection past
 * the request timeout (Node checks timeouts on an interval; the gateway sets it to 1 s).
 */
describe('slow clients', () => {
  let harness: Harness;
  let port: number;

  before(async () => {
    harness = await startHarness({ env: { REQUEST_TIMEOUT_MS: '2000' } });
    port = await harness.listen();
  });

  after(async () => {
    await harness.close();
  });

  it('cuts off a body trickled one byte at a time soon after the request timeout', async () => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const token = await harness.token('customer-1', ['customer']);
    socket.write(
      'POST /v1/accounts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${token}\r\nIdempotency-Key: slow-1\r\nContent-Length: 200\r\n\r\n`,
    );
    const trickle = setInterval(() => socket.write(' '), 500);
    const closedAfterMs = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
      socket.resume();
    });
    clearInterval(trickle);
    // 2 s timeout, checked every second: closed well before the 30 s Node would otherwise allow.
    assert.ok(closedAfterMs < 5000, `connection lived ${closedAfterMs} ms`);
    assert.ok(closedAfterMs >= 1500, `closed after ${closedAfterMs} ms, before the timeout`);
  });
});
