import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '@bank/event-store';
import type { KafkaMessage } from 'kafkajs';
import { decodeMessage } from '../consumer/decode-message.js';
import { BatchReader } from './batch-reader.js';
import {
  batchMessages,
  eventMessage,
  partitionOf,
  WATERMARK_HEADER,
  watermarkMessage,
} from './messages.js';

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

describe('relay batches', () => {
  const event = (streamId: string, position: bigint): RecordedEvent => ({
    ...recorded,
    streamId,
    position,
    data: { ...recorded.data, accountId: streamId.slice('account-'.length) },
  });
  // Streams hashed to known partitions of 3.
  const streams = Array.from(
    { length: 40 },
    (_, i) => `account-3f1c2b9a-5d7e-4f60-9a1b-2c3d4e5f6a${String(i).padStart(2, '0')}`,
  );
  const on = (partition: number) => streams.filter((s) => partitionOf(s, 3) === partition);

  it('hashes keys like the kafkajs default partitioner, every partition reachable', () => {
    assert.deepEqual(
      [0, 1, 2].map((p) => on(p).length > 0),
      [true, true, true],
    );
    for (const s of streams) assert.equal(partitionOf(s, 3), partitionOf(s, 3));
    assert.equal(partitionOf('account-x', 1), 0);
  });

  it('puts the batch watermark on the last event of each partition and a message on the others', () => {
    const [a, b] = on(0);
    const [c] = on(2);
    assert.ok(a && b && c);
    const messages = batchMessages([event(a, 10n), event(c, 11n), event(b, 12n)], 3);
    assert.deepEqual(
      messages.map((m) => [m.partition, m.key ?? null, m.headers?.[WATERMARK_HEADER] ?? null]),
      [
        [0, a, null],
        [2, c, '12'],
        [0, b, '12'],
        [1, null, null], // the watermark message of the partition without an event
      ],
    );
    const decoded = messages.map((m, i) => decodeMessage(asReceived(m, String(i))));
    assert.deepEqual(
      decoded.map((d) =>
        d.kind === 'watermark' ? d.position : d.kind === 'event' ? d.watermark : d.kind,
      ),
      [undefined, 12n, 12n, 12n],
    );
    assert.deepEqual(batchMessages([], 3), []);
  });

  it('keeps the header watermark of an event that cannot be decoded, and ignores a malformed one', () => {
    const poison = decodeMessage(
      asReceived({ key: 'k', value: 'not json', headers: { [WATERMARK_HEADER]: '33' } }),
    );
    assert.equal(poison.kind, 'poison');
    assert.equal(poison.kind === 'poison' ? poison.watermark : undefined, 33n);
    const malformed = decodeMessage(
      asReceived({ ...eventMessage(recorded), headers: { [WATERMARK_HEADER]: '-1' } }),
    );
    assert.equal(malformed.kind, 'event');
    assert.equal(malformed.kind === 'event' ? malformed.watermark : 0n, undefined);
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
