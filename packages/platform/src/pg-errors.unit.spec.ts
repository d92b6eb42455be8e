import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pgErrorKind } from './pg-errors.js';

// The rows the local server cannot be made to raise on demand; pg-errors.int.spec.ts raises
// the others for real.
describe('pgErrorKind', () => {
  const withCode = (code: string) => Object.assign(new Error('failed'), { code });

  it('takes a SQLSTATE’s class when the code has no row of its own', () => {
    assert.equal(pgErrorKind(withCode('08006')), 'unavailable'); // connection_failure
    assert.equal(pgErrorKind(withCode('53100')), 'unavailable'); // disk_full
    assert.equal(pgErrorKind(withCode('57P03')), 'unavailable'); // cannot_connect_now
    assert.equal(pgErrorKind(withCode('58030')), 'unavailable'); // io_error
    assert.equal(pgErrorKind(withCode('28P01')), 'misconfigured'); // invalid_password
    assert.equal(pgErrorKind(withCode('40002')), 'other');
  });

  it('lets a code’s own row win over its class', () => {
    assert.equal(pgErrorKind(withCode('57014')), 'canceled');
    assert.equal(pgErrorKind(withCode('57P01')), 'unavailable');
  });

  it('knows only the rows of its table', () => {
    assert.equal(pgErrorKind(withCode('EACCES')), 'other');
    assert.equal(pgErrorKind(withCode('constructor')), 'other');
    assert.equal(pgErrorKind(withCode('08')), 'other');
    assert.equal(pgErrorKind(new Error('Client was closed and is not queryable')), 'other');
    for (const value of [undefined, null, 'Connection terminated', 42]) {
      assert.equal(pgErrorKind(value), 'other');
    }
  });
});
