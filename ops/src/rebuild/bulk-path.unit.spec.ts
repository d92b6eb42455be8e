import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { copyField, copyText } from './copy-writer.js';
import { partCheckpointName, partOf } from './fold-parts.js';
import { RowCache, type CacheEntry } from './row-cache.js';

describe('COPY text encoding', () => {
  it('writes null as \\N, bigint exactly, and escapes the characters COPY reads specially', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField(undefined), '\\N');
    assert.equal(copyField(-9_007_199_254_740_993n), '-9007199254740993');
    assert.equal(copyField('plain'), 'plain');
    assert.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    assert.equal(copyField('\\N'), '\\\\N');
    assert.throws(() => copyField(1.5), TypeError);
  });

  it('writes one line per row, columns in order, in chunks', () => {
    const rows = Array.from({ length: 1201 }, (_, i) => ({ id: String(i), n: BigInt(i), x: null }));
    const chunks = [...copyText<(typeof rows)[number]>(['n', 'id', 'x'], rows)];
    assert.equal(chunks.length, 3);
    const lines = chunks.join('').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 1201);
    assert.equal(lines[1200], '1200\t1200\t\\N');
  });
});

describe('RowCache', () => {
  it('looks up only what it does not hold, and nothing while complete', () => {
    const cache = new RowCache<number>(10, true);
    const touched: Array<CacheEntry<number>> = [];
    assert.equal(cache.change('a', 1, 1, touched), false);
    assert.deepEqual(cache.missing(['a', 'b']), []);
    assert.deepEqual([...cache.rows], [['a', 1]]);

    const incomplete = new RowCache<number>(10, false);
    assert.deepEqual(incomplete.missing(['a', 'b']), ['a', 'b']);
    incomplete.loaded(new Map([['a', 5]]));
    assert.equal(incomplete.change('a', 6, 1, touched), true);
    assert.deepEqual(incomplete.missing(['a', 'b']), ['b']);
  });

  it('lists each row a flush changes once, with its last value, inserted or updated', () => {
    const cache = new RowCache<number>(10, false);
    cache.loaded(new Map([['old', 0]]));
    const first: Array<CacheEntry<number>> = [];
    cache.change('new', 1, 1, first);
    cache.change('new', 2, 1, first);
    cache.change('old', 3, 1, first);
    const rows = first.map((e) => [e.key, e.value, e.inserted]);
    assert.deepEqual(rows, [
      ['new', 2, true],
      ['old', 3, false],
    ]);
    const second: Array<CacheEntry<number>> = [];
    cache.change('new', 4, 2, second);
    assert.deepEqual(
      second.map((e) => [e.key, e.value, e.inserted]),
      [['new', 4, false]],
      'inserted by an earlier flush: updated',
    );
  });

  it('evicts least recently used rows whose flush committed, and is then incomplete', () => {
    const cache = new RowCache<number>(2, true);
    const touched: Array<CacheEntry<number>> = [];
    cache.change('a', 1, 1, touched);
    cache.change('b', 2, 1, touched);
    cache.change('c', 3, 2, touched);
    cache.change('a', 4, 2, touched); // a is now the most recently used
    cache.evict(2);
    assert.equal(cache.size, 2);
    assert.equal(cache.isComplete, false);
    assert.deepEqual(cache.missing(['a', 'b', 'c']), ['b']);
    assert.equal(cache.rows.has('b'), false);

    const writing = new RowCache<number>(1, true);
    writing.change('x', 1, 2, touched);
    writing.change('y', 2, 2, touched);
    writing.evict(1);
    assert.equal(writing.size, 2, 'rows of a flush still being written stay');
    writing.evict(2);
    assert.equal(writing.size, 1);
  });

  it('keeps a row used on every page through evictions, and drops rows not used since', () => {
    const cache = new RowCache<number>(3, true);
    const touched: Array<CacheEntry<number>> = [];
    cache.change('hot', 0, 1, touched);
    for (let page = 1; page <= 5; page += 1) {
      cache.change('hot', page, page, touched);
      cache.change(`cold-${page}`, page, page, touched);
      cache.change(`colder-${page}`, page, page, touched);
      cache.evict(page);
      assert.equal(cache.size, 3);
      assert.deepEqual(cache.missing(['hot']), [], `hot evicted on page ${page}`);
    }
    assert.deepEqual(cache.missing(['cold-1', 'cold-5', 'colder-5']), ['cold-1']);
  });
});

describe('partOf', () => {
  it('puts a stream always in the same part, whatever else is on its line, and uses every part', () => {
    const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
    const seen = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      const stream = `account-${i.toString(16).padStart(8, '0')}`;
      const part = partOf(bytes(stream), 2);
      seen.add(part);
      const line = bytes(`${i}\t${stream}\t0\tevent`);
      const from = line.indexOf(0x09) + 1;
      assert.equal(partOf(line, 2, from, line.indexOf(0x09, from)), part);
      assert.equal(partOf(bytes(stream), 1), 0);
    }
    assert.deepEqual([...seen].sort(), [0, 1]);
  });

  it('names each part checkpoint after the rebuild and the number of parts', () => {
    assert.equal(partCheckpointName('rebuild:all', 0, 2), 'rebuild:all/part1of2');
    assert.equal(partCheckpointName('rebuild:all', 1, 2), 'rebuild:all/part2of2');
  });
});
