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
    if (!this.out.write(text)) await this.drained();
    if (this.failure) throw this.failure;
    return !this.closed;
  }

  /**
   * Until the pipe drains, closes or fails (the error listener above records a failure). Each
   * wait takes its listeners off again: a long replay into a slow reader waits tens of thousands
   * of times, and listeners left behind grew its memory with every wait.
   */
  private drained(): Promise<void> {
    const out = this.out;
    return new Promise((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
      out.once('error', done);
    });
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
