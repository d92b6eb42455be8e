import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '@bank/event-store';
import type { KafkaMessage } from 'kafkajs';
import { decodeMessage } from '../consumer/decode-message.js';
import { BatchReader } from './batch-reader.js';
import { eventMessage, watermarkMessage } from './messages.js';

const accountId = '3f1c2b9a-5d7e-4f60-9a1b-2c3d4e5f6a7b';
const recorded: RecordedEvent = {
  streamId: `account-${accountId}`,
  revision: 1n,
  position: 9_007_199_254_740_993n,
  eventId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  type: 'FundsDeposited',
  data: { accountId, amount: '12345678901234567' },
  metadata: { correlationId: 'corr-1', occurredAt: '2024-03-01T10:00:00.000Z', schemaVersion: 1 },
  recordedAt: new Date('2024-03-01T10:00:01.000Z'),
};

const asReceived = (m: ReturnType<typeof eventMessage>, offset = '0'): KafkaMessage => ({
  key: m.key === null || m.key === undefined ? null : Buffer.from(String(m.key)),
  value: Buffer.from(String(m.value)),
  headers: Object.fromEntries(
    Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]),
  ),
  offset,
  timestamp: '0',
  attributes: 0,
});

describe('relay messages', () => {
  it('carries an event keyed by stream with its headers, and decodes back exactly', () => {
    const message = eventMessage(recorded);
    assert.equal(message.key, recorded.streamId);
    assert.deepEqual(message.headers, {
      'event-id': recorded.eventId,
      'event-type': 'FundsDeposited',
      'stream-id': recorded.streamId,
      'stream-revision': '1',
      position: '9007199254740993',
      'correlation-id': 'corr-1',
      'schema-version': '1',
    });
    const decoded = decodeMessage(asReceived(message));
    assert.equal(decoded.kind, 'event');
    if (decoded.kind !== 'event') return;
    assert.equal(decoded.event.position, 9_007_199_254_740_993n);
    assert.deepEqual(decoded.event.event, {
      type: 'FundsDeposited',
      data: { accountId, amount: 12_345_678_901_234_567n },
    });
    assert.equal(decoded.event.correlationId, 'corr-1');
  });

  it('sends watermarks to an explicit partition', () => {
    const message = watermarkMessage(4, 77n);
    assert.equal(message.partition, 4);
    assert.deepEqual(decodeMessage(asReceived(message)), { kind: 'watermark', position: 77n });
  });

  it('turns anything unusable into poison instead of throwing', () => {
    const bad = (value: string) => decodeMessage(asReceived({ key: 'k', value, headers: {} }));
    assert.equal(bad('{').kind, 'poison');
    assert.equal(bad('{"streamId":"x"}').kind, 'poison');
    const unknown = bad(
      JSON.stringify({ ...JSON.parse(String(eventMessage(recorded).value)), type: 'Nope' }),
    );
    assert.equal(unknown.kind, 'poison');
    const wrongStream = bad(
      JSON.stringify({
        ...JSON.parse(String(eventMessage(recorded).value)),
        streamId: 'account-other',
      }),
    );
    assert.equal(wrongStream.kind, 'poison');
  });
});

describe('BatchReader', () => {
  async function* source(items: number[], gapAfter: number, gapMs: number) {
    for (const item of items) {
      if (item === gapAfter + 1) await new Promise((resolve) => setTimeout(resolve, gapMs));
      yield item;
    }
  }

  it('takes what is ready up to the batch size, and keeps a pending read for the next batch', async () => {
    const reader = new BatchReader(
      source([1, 2, 3, 4, 5, 6, 7], 5, 50)[Symbol.asyncIterator](),
      3,
      10,
    );
    assert.deepEqual(await reader.next(), [1, 2, 3]);
    assert.deepEqual(await reader.next(), [4, 5]); // 6 comes after the linger
    assert.deepEqual(await reader.next(), [6, 7]);
    assert.equal(await reader.next(), undefined);
  });
});
