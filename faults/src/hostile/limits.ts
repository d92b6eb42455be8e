import { connect } from 'node:net';
import type { Findings } from '../check/findings.js';
import type { HostileFixtures } from './fixtures.js';
import { jsonHeaders, type Probe } from './probe.js';

/** The gateway's REQUEST_TIMEOUT_MS in this run (set by run.ts): a request must be whole by then. */
export const REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT_BYTES = 16 * 1024;
const NODE_TIMEOUT_CHECK_MS = 30_000;

/**
 * Oversized bodies are refused (413) without effect; a client that sends its headers and then
 * trickles the body (or trickles the headers) is cut off once the request timeout passes.
 */
export async function runLimits(
  fx: HostileFixtures,
  probe: Probe,
  findings: Findings,
  runTag: string,
): Promise<number> {
  const url = new URL(fx.baseUrl);
  const slow = Promise.all([
    trickle(url, 'body', fx, findings),
    trickle(url, 'headers', fx, findings),
  ]);
  let sent = 0;
  for (const size of [BODY_LIMIT_BYTES + 1, 1024 * 1024]) {
    const body = JSON.stringify({ amount: '1.00', pad: 'x'.repeat(size) });
    const { status } = await probe.send(
      {
        method: 'POST',
        path: `/v1/accounts/${fx.accountA}/deposits`,
        headers: jsonHeaders(fx.tokens.teller, { 'idempotency-key': `${runTag}-big-${size}` }),
        body,
      },
      `oversized body ${size} B`,
    );
    sent += 1;
    findings.check(
      status === 413,
      () => `oversized body of ${size} bytes → ${status}, expected 413`,
    );
  }
  const huge = await probe.send(
    {
      method: 'GET',
      path: `/v1/accounts/${fx.accountA}`,
      headers: { ...jsonHeaders(fx.tokens.teller), 'x-junk': 'y'.repeat(64 * 1024) },
    },
    'oversized headers',
  );
  sent += 1;
  findings.check(
    huge.status === 431 || huge.status === 400 || huge.status === 0,
    () => `64 KiB of headers → ${huge.status}, expected 431`,
  );
  await slow;
  return sent + 2;
}

/** Opens a raw connection and trickles one byte a second; resolves when the server hangs up. */
function trickle(
  url: URL,
  what: 'body' | 'headers',
  fx: HostileFixtures,
  findings: Findings,
): Promise<void> {
  // Node checks request timeouts every connectionsCheckingInterval (30 s by default).
  const limitMs = REQUEST_TIMEOUT_MS + NODE_TIMEOUT_CHECK_MS + 5000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let timer: NodeJS.Timeout | undefined;
    let answer = '';
    const finish = (cutOff: boolean): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const ms = Date.now() - started;
      findings.check(
        cutOff,
        () =>
          `slow client (${what}): still connected after ${ms} ms; the gateway must cut it off after ${REQUEST_TIMEOUT_MS} ms`,
      );
      findings.check(
        !/^HTTP\/1\.1 [25]/.test(answer),
        () => `slow client (${what}): answered ${answer.slice(0, 80)}`,
      );
      resolve();
    };
    const giveUp = setTimeout(() => finish(false), limitMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      const head = `POST /v1/accounts/${fx.accountA}/deposits HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${fx.tokens.teller}\r\nContent-Type: application/json\r\nIdempotency-Key: slow-${what}-${started}\r\nContent-Length: 200\r\n`;
      const rest =
        what === 'body'
          ? `{"amount":"1.00"${' '.repeat(180)}}`
          : 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n';
      socket.write(what === 'body' ? `${head}\r\n` : head);
      let i = 0;
      timer = setInterval(() => {
        if (i < rest.length && !socket.destroyed) socket.write(rest[i] ?? ' ');
        i += 1;
      }, 1000);
    });
  });
}
