import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError } from '@bank/platform';
import { readProjectorConfig } from './environment.js';

describe('projector environment', () => {
  it('runs embedded without KAFKA_BROKERS, with the documented defaults', () => {
    const config = readProjectorConfig({});
    assert.equal(config.kafka, undefined);
    assert.equal(config.role, 'all');
    assert.equal(config.batchSize, 500);
    assert.equal(config.eventStoreConnectionString, undefined);
  });

  it('reads the Kafka settings', () => {
    const config = readProjectorConfig({
      KAFKA_BROKERS: 'a:9092, b:9092',
      PROJECTOR_ROLE: 'relay',
      KAFKA_PARTITIONS: '12',
    });
    assert.deepEqual(config.kafka?.brokers, ['a:9092', 'b:9092']);
    assert.equal(config.kafka?.topic, 'bank.events.v1');
    assert.equal(config.kafka?.dlqTopic, 'bank.events.v1.dlq');
    assert.equal(config.kafka?.groupId, 'bank-projector');
    assert.equal(config.kafka?.partitions, 12);
    assert.equal(config.kafka?.partitionsConsumedConcurrently, 0); // all partitions
    assert.equal(config.kafka?.commitIntervalMs, 1000);
    assert.equal(config.relayCheckpointIntervalMs, 1000);
    assert.equal(config.role, 'relay');
  });

  it('reports every problem at once', () => {
    assert.throws(
      () =>
        readProjectorConfig({ PROJECTOR_ROLE: 'both', BATCH_SIZE: 'many', KAFKA_PARTITIONS: '0' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 3,
    );
  });
});
