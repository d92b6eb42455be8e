import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { kafkaBrokers, rabbitmqUrl } from '@bank/testkit';
import { BROKER_BATCH } from './broker-message.js';
import { measureKafkaCeiling } from './kafka-roundtrip.js';
import { measureRabbitMqCeiling } from './rabbitmq-roundtrip.js';

// The bench's two broker rows on the real brokers, small: every message sent is received.
const limits = { durationSeconds: 20, maxMessages: 4 * BROKER_BATCH };

describe('broker ceilings', () => {
  it('Kafka: every produced message is consumed', async () => {
    const result = await measureKafkaCeiling({
      brokers: kafkaBrokers().join(','),
      topic: `bench-ceiling-test-${randomBytes(4).toString('hex')}`,
      partitions: 6,
      ...limits,
    });
    assert.equal(result.produced, limits.maxMessages);
    assert.equal(result.consumed, result.produced);
    assert.ok(result.roundTripRate > 0 && result.roundTripRate <= result.produceRate * 1.0001);
  });

  it('RabbitMQ: every published message is confirmed and consumed', async () => {
    const result = await measureRabbitMqCeiling({
      url: rabbitmqUrl(),
      queue: `bench-ceiling-test-${randomBytes(4).toString('hex')}`,
      prefetch: 1000,
      ...limits,
    });
    assert.equal(result.produced, limits.maxMessages);
    assert.equal(result.consumed, result.produced);
    assert.ok(result.roundTripRate > 0);
  });
});
