import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isTransientError } from './transient.js';

describe('isTransientError', () => {
  const pgError = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

  it('holds the infrastructure’s failures, a refused login among them', () => {
    for (const code of ['53300', '57P01', '40P01', '55P03', '57014', '28000', 'ECONNRESET']) {
      assert.equal(isTransientError(pgError(code)), true, code);
    }
    const unavailable = Object.assign(new Error('down'), { name: 'EventStoreUnavailableError' });
    assert.equal(isTransientError(unavailable), true);
  });

  it('leaves the data’s failures to the dead-letter queue', () => {
    for (const code of ['23505', '23503', '22P02', '42601']) {
      assert.equal(isTransientError(pgError(code)), false, code);
    }
    assert.equal(isTransientError(new Error('bad event')), false);
    assert.equal(isTransientError(undefined), false);
  });
});
