import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { gatewayCommandId } from './command-id.js';

describe("the checker's command id", () => {
  it('is the vector the gateway pins for (tina, k1)', () => {
    assert.equal(gatewayCommandId('tina', 'k1'), 'c3c6f38b-c6f2-5900-9be6-6fc978cd9ca8');
  });

  it('tells apart principals and keys that join to the same string', () => {
    assert.notEqual(gatewayCommandId('P', 'x:k'), gatewayCommandId('P:x', 'k'));
    assert.notEqual(gatewayCommandId('P', '1:x'), gatewayCommandId('P1', ':x'));
  });
});
