import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CopyLines, copyTextValue, selectionSql } from './copy-events.js';
import { toLine } from './ndjson-copy.js';

describe('COPY text output', () => {
  it('is cut into lines across chunks, a character split between chunks included', () => {
    const bytes = Buffer.from('1\tdé\n2\tx\n3\t€\n', 'utf8');
    const euro = bytes.indexOf(0xe2);
    const lines = new CopyLines();
    const got = [
      ...lines.push(bytes.subarray(0, 3)),
      ...lines.push(bytes.subarray(3, euro + 1)),
      ...lines.push(bytes.subarray(euro + 1)),
      ...lines.end(),
    ];
    assert.deepEqual(got, ['1\tdé', '2\tx', '3\t€']);
  });

  it('unescapes what COPY TO escapes', () => {
    assert.equal(copyTextValue('plain'), 'plain');
    assert.equal(copyTextValue('{"a": "x\\\\"y"}'), '{"a": "x\\"y"}');
    assert.equal(copyTextValue('a\\tb\\nc\\\\d'), 'a\tb\nc\\d');
  });

  it('selects with literals that quoting cannot break out of', () => {
    const sql = selectionSql({
      after: 10n,
      upTo: 20n,
      streamPrefixes: ["it's_%"],
      streams: ['a\\b'],
      types: ['FundsDeposited'],
      since: new Date('2024-01-01T00:00:00.000Z'),
    });
    assert.equal(
      sql,
      "e.position > 10 AND e.position <= 20 AND (e.stream_id LIKE E'it''s\\\\_\\\\%%' OR e.stream_id = E'a\\\\b') " +
        "AND e.type IN (E'FundsDeposited') AND date_trunc('milliseconds', e.recorded_at) >= E'2024-01-01T00:00:00.000Z'::timestamptz",
    );
  });
});

describe('an NDJSON line from a COPY row', () => {
  it('is the event record, escapes in the jsonb and the ids included', () => {
    // As COPY TO prints it: a backslash in the jsonb text doubled, a tab in a stream id escaped.
    const row = [
      '7',
      'account-a\\tb',
      '2',
      'e1',
      'FundsDeposited',
      '2024-01-01T00:00:00.000Z',
      '{"note": "say \\\\"hi\\\\"\\\\n", "amount": "10"}',
      '{"occurredAt": "2024-01-01T00:00:00.000Z"}',
    ].join('\t');
    const line = toLine(row);
    assert.ok(line.endsWith('}\n'));
    assert.deepEqual(JSON.parse(line), {
      position: '7',
      streamId: 'account-a\tb',
      revision: '2',
      eventId: 'e1',
      type: 'FundsDeposited',
      recordedAt: '2024-01-01T00:00:00.000Z',
      data: { note: 'say "hi"\n', amount: '10' },
      metadata: { occurredAt: '2024-01-01T00:00:00.000Z' },
    });
  });
});
