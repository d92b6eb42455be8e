import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { projectionStatusOf } from './get-projection-status.js';

describe('projection status', () => {
  const at = new Date('2024-05-01T12:00:00Z');
  it('takes the smallest watermark and the newest applied event', () => {
    const status = projectionStatusOf(
      [
        {
          name: 'relay',
          position: '90',
          last_event_at: new Date('2024-05-01T12:00:09Z'),
          updated_at: at,
        },
        {
          name: 'watermark:0',
          position: '70',
          last_event_at: new Date('2024-05-01T12:00:08Z'),
          updated_at: at,
        },
        {
          name: 'watermark:1',
          position: '40',
          last_event_at: new Date('2024-05-01T12:00:05Z'),
          updated_at: at,
        },
      ],
      Date.parse('2024-05-01T12:00:10Z'),
    );
    assert.equal(status.consistentPosition, '40');
    assert.equal(status.secondsSinceLastApplied, 2);
    assert.equal(status.checkpoints?.length, 3);
  });
  it('is position 0 and no lag before any watermark exists', () => {
    const status = projectionStatusOf(
      [{ name: 'relay', position: '5', last_event_at: null, updated_at: at }],
      0,
    );
    assert.equal(status.consistentPosition, '0');
    assert.equal(status.secondsSinceLastApplied, 0);
  });
});
