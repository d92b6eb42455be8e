import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { LineWriter } from './stdout.js';

/** A reader slower than the writer: every write fills the pipe and waits for 'drain'. */
function slowReader(received: string[]): Writable {
  return new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      setImmediate(callback);
    },
  });
}

describe('LineWriter', () => {
  it('waits for a slow reader without leaving listeners behind', async () => {
    const received: string[] = [];
    const out = slowReader(received);
    const writer = new LineWriter(out);
    const before = ['drain', 'close', 'error'].map((event) => out.listenerCount(event));
    for (let i = 0; i < 500; i += 1) assert.equal(await writer.write(`line ${i}\n`), true);
    assert.equal(received.length, 500);
    assert.equal(received.at(-1), 'line 499\n');
    const after = ['drain', 'close', 'error'].map((event) => out.listenerCount(event));
    assert.deepEqual(after, before, 'listeners per event (drain, close, error) after 500 waits');
  });

  it('stops quietly once the reader is gone (EPIPE), and fails on any other error', async () => {
    const gone = slowReader([]);
    const quiet = new LineWriter(gone);
    gone.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await quiet.write('line\n'), false);

    const broken = slowReader([]);
    const failing = new LineWriter(broken);
    const pending = failing.write('a line that fills the pipe\n');
    broken.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await assert.rejects(pending, /no space left on device/);
  });
});
