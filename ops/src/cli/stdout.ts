import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes lines to stdout with backpressure. When the reader goes away (`bank replay | head`),
 * the write fails with EPIPE: `closed` turns true and the command stops reading, quietly.
 */
export class LineWriter {
  closed = false;
  private failure: Error | undefined;

  constructor(private readonly out: Writable = process.stdout) {
    out.on('error', (error: NodeJS.ErrnoException) => {
      this.closed = true;
      if (error.code !== 'EPIPE') this.failure = error;
    });
  }

  /** Writes one chunk; waits when the pipe is full. Returns false once the reader is gone. */
  async write(text: string | Uint8Array): Promise<boolean> {
    if (this.closed) return false;
    if (!this.out.write(text)) {
      // events.once rejects on 'error'; the error listener above already recorded it.
      const quiet = (event: string): Promise<unknown> =>
        once(this.out, event).catch(() => undefined);
      await Promise.race([quiet('drain'), quiet('close'), quiet('error')]);
    }
    if (this.failure) throw this.failure;
    return !this.closed;
  }
}

/** JSON with bigint as strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    indent,
  );
}
