import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './testing/harness.js';

/** Sends raw bytes and reads the whole answer until the server closes or the reply ends. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      const [head, body] = answer.split('\r\n\r\n');
      const length = /content-length: *([0-9]+)/i.exec(head ?? '')?.[1];
      if (length !== undefined && body !== undefined && Buffer.byteLength(body) >= Number(length)) {
        socket.end();
        resolve(answer);
      }
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

function parse(answer: string): { status: number; type: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 ([0-9]{3})/.exec(head)?.[1]),
    type: /content-type: *([^\r\n;]+)/i.exec(head)?.[1] ?? '',
    body: JSON.parse(body) as Record<string, unknown>,
  };
}

describe('errors before a route runs are problems too', () => {
  let harness: Harness;
  let port: number;

  before(async () => {
    harness = await startHarness();
    port = await harness.listen();
  });
  after(async () => {
    await harness.close();
  });

  const get = (path: string, headers = '') =>
    rawRequest(
      port,
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`,
    );

  it('a URL that does not decode: 400', async () => {
    const answer = parse(await get('/v1/accounts/%E0%A4%A'));
    assert.equal(answer.status, 400);
    assert.equal(answer.type, 'application/problem+json');
    assert.equal(answer.body['code'], 'VALIDATION_FAILED');
  });

  it('a path parameter over the length limit: 414', async () => {
    const answer = parse(await get(`/v1/accounts/${'x'.repeat(5000)}`));
    assert.equal(answer.status, 414);
    assert.equal(answer.type, 'application/problem+json');
    assert.equal(answer.body['code'], 'URI_TOO_LONG');
    assert.ok(String(answer.body['instance']).length < 300, 'the path is not echoed whole');
  });

  it('headers over the size limit: 431', async () => {
    const answer = parse(
      await get('/v1/accounts', `Authorization: Bearer ${'a'.repeat(20_000)}\r\n`),
    );
    assert.equal(answer.status, 431);
    assert.equal(answer.type, 'application/problem+json');
    assert.equal(answer.body['code'], 'HEADERS_TOO_LARGE');
  });

  it('bytes that are not HTTP: 400', async () => {
    const answer = parse(await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n'));
    assert.equal(answer.status, 400);
    assert.equal(answer.type, 'application/problem+json');
  });
});
