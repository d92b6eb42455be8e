/**
 * Progress of a long command on stderr: a redrawn bar on a TTY (done, events/s, ETA), a plain
 * line every few seconds otherwise, nothing with --json (the final summary is the output).
 * `finish` ends it with one final line (the count, the time taken and the rate; no ETA).
 */
export class Progress {
  private done = 0;
  private total: number | undefined;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly mode: 'auto' | 'silent',
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** The expected total (events); it may grow while catching up. */
  setTotal(total: number): void {
    this.total = total;
  }

  /** More events to come than the total said (appended while the command runs). */
  addToTotal(count: number): void {
    if (this.total !== undefined) this.total += count;
  }

  add(count: number): void {
    if (count === 0) return;
    this.done += count;
    const now = Date.now();
    if (now - this.lastDraw >= (this.tty ? 100 : 2000)) {
      this.lastDraw = now;
      this.draw();
    }
  }

  get count(): number {
    return this.done;
  }

  rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** A message between progress updates (phase changes). */
  note(message: string): void {
    if (this.mode === 'silent') return;
    if (this.tty) this.stream.write('\r\x1b[K');
    this.stream.write(`${this.label}: ${message}\n`);
  }

  finish(): void {
    if (this.mode === 'silent') return;
    const seconds = this.elapsedSeconds().toFixed(1);
    this.write(
      `done: ${this.counts()} events in ${seconds} s, ${Math.round(this.rate())} events/s`,
      true,
    );
  }

  /** `done/total`, or `done` alone when the total is unknown (or was exceeded). */
  private counts(): string {
    const total = this.knownTotal();
    return total !== undefined ? `${this.done}/${total}` : `${this.done}`;
  }

  private knownTotal(): number | undefined {
    return this.total !== undefined && this.total >= this.done ? this.total : undefined;
  }

  private draw(): void {
    if (this.mode === 'silent') return;
    const rate = this.rate();
    const total = this.knownTotal();
    const eta = total !== undefined && rate > 0 ? formatSeconds((total - this.done) / rate) : '?';
    this.write(`${this.counts()} events, ${Math.round(rate)} events/s, ETA ${eta}`, false);
  }

  private write(stats: string, final: boolean): void {
    if (!this.tty) {
      this.stream.write(`${this.label}: ${stats}\n`);
      return;
    }
    const width = 30;
    const total = this.knownTotal();
    const filled =
      total !== undefined
        ? Math.min(width, Math.round((this.done / Math.max(total, 1)) * width))
        : final
          ? width
          : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    this.stream.write(`\r\x1b[K${this.label} ${bar} ${stats}${final ? '\n' : ''}`);
  }
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
