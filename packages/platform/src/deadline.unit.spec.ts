import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { assertBeforeDeadline, remainingMs } from './deadline.js';
import { AppError } from './errors.js';

describe('deadlines', () => {
  const exceeded = (error: unknown) => error instanceof AppError && error.category === 'deadline';

  it('counts the milliseconds left, without end when the caller set no deadline', () => {
    assert.equal(remainingMs(new Date(1_500), 1_000), 500);
    assert.equal(remainingMs(new Date(1_000), 1_200), -200);
    assert.equal(remainingMs(undefined), Number.POSITIVE_INFINITY);
  });

  it('refuses to start work once the deadline has passed', () => {
    assert.throws(() => assertBeforeDeadline(new Date(Date.now() - 1)), exceeded);
    assert.doesNotThrow(() => assertBeforeDeadline(new Date(Date.now() + 60_000)));
    assert.doesNotThrow(() => assertBeforeDeadline(undefined));
  });
});
