import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, maskUrlPassword, serviceVersion, wantsPrettyLogs } from './logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON with service, version, instance and the level label', () => {
    const out = capture();
    const logger = createLogger({
      service: 'svc',
      version: '1.2.3',
      level: 'info',
      destination: out.stream,
    });
    logger.child({ correlationId: 'c-1' }).info('hello');
    logger.debug('not at info');
    const [line, ...rest] = out.lines();
    assert.equal(rest.length, 0);
    assert.equal(line?.['service'], 'svc');
    assert.equal(line?.['version'], '1.2.3');
    assert.match(String(line?.['instance']), /:\d+$/);
    assert.equal(line?.['level'], 'info');
    assert.equal(line?.['correlationId'], 'c-1');
    assert.match(String(line?.['time']), /^\d{4}-\d\d-\d\dT/);
  });

  it('redacts credentials and masks connection-string passwords', () => {
    const out = capture();
    const logger = createLogger({ service: 'svc', level: 'info', destination: out.stream });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', host: 'h' } },
        token: 't0k3n',
        config: {
          jwtSecret: 's3cret',
          databaseUrl: 'postgres://bank:hunter2@db:5432/bank',
          apiKey: 'k3y',
        },
        jwt: { secret: 'x', pem: '-----BEGIN' },
        authorization: 'Bearer zzz',
      },
      'request',
    );
    const text = JSON.stringify(out.lines());
    for (const secret of [
      'abc.def.ghi',
      'sid=1',
      't0k3n',
      's3cret',
      'hunter2',
      'k3y',
      'zzz',
      'BEGIN',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.ok(text.includes('postgres://bank:***@db:5432/bank'), text);
    assert.ok(text.includes('"host":"h"'), 'other headers stay');
  });
});

describe('wantsPrettyLogs', () => {
  it('only on a terminal outside production', () => {
    assert.equal(wantsPrettyLogs('development', { isTTY: true }), true);
    assert.equal(wantsPrettyLogs(undefined, { isTTY: true }), true);
    assert.equal(wantsPrettyLogs('production', { isTTY: true }), false);
    assert.equal(wantsPrettyLogs('development', { isTTY: false }), false);
    assert.equal(wantsPrettyLogs('development', {}), false);
  });
});

describe('helpers', () => {
  it('masks only the password of a URL, and redacts what is not one', () => {
    assert.equal(maskUrlPassword('postgres://u@h/db'), 'postgres://u@h/db');
    assert.equal(maskUrlPassword('not a url'), '[redacted]');
  });

  it('reads the version of the nearest package.json', () => {
    assert.equal(serviceVersion(import.meta.url), '0.1.0');
  });
});
