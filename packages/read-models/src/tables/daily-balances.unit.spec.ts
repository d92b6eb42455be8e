import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { utcDay } from './daily-balances.js';

describe('utcDay', () => {
  const reference = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

  it('names the UTC day exactly as formatting the instant does', () => {
    const samples = [
      '2024-03-01T23:59:59.999Z',
      '2024-03-02T00:00:00.000Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2024-02-29T01:00:00+02:00',
      '2024-03-01',
      '+010000-01-01T00:00:00.000Z',
      '-000001-12-31T23:59:59.999Z',
      '2026-02-29T12:00:00.000Z', // canonical in shape only: Date rolls it over to March 1st
    ];
    let ms = Date.UTC(1900, 0, 1);
    for (let i = 0; i < 5000; i += 1) {
      ms += 86_400_000 * 7.3 + 12_345;
      samples.push(new Date(ms).toISOString());
    }
    for (const iso of samples) assert.equal(utcDay(iso), reference(iso), iso);
  });

  it('refuses what is not an instant, as before', () => {
    assert.throws(() => utcDay('not a date'), RangeError);
    assert.throws(() => reference('not a date'), RangeError);
  });
});
