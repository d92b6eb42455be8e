/**
 * Progress of a long command on stderr: a redrawn bar on a TTY (done, events/s, ETA), a plain
 * line every few seconds otherwise, nothing with --json (the final summary is the output).
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

  add(count: number): void {
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
    this.draw();
    if (this.tty) this.stream.write('\n');
  }

  private draw(): void {
    if (this.mode === 'silent') return;
    const rate = this.rate();
    const total = this.total !== undefined && this.total >= this.done ? this.total : undefined;
    const eta = total !== undefined && rate > 0 ? formatSeconds((total - this.done) / rate) : '?';
    const counts = total !== undefined ? `${this.done}/${total}` : `${this.done}`;
    const stats = `${counts} events, ${Math.round(rate)} events/s, ETA ${eta}`;
    if (!this.tty) {
      this.stream.write(`${this.label}: ${stats}\n`);
      return;
    }
    const width = 30;
    const filled = total
      ? Math.min(width, Math.round((this.done / Math.max(total, 1)) * width))
      : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    this.stream.write(`\r\x1b[K${this.label} ${bar} ${stats}`);
  }
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
