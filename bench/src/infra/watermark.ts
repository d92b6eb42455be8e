import pg from 'pg';

/** The NOTIFY channel the projector signals after each commit that moves a watermark. */
const PROJECTION_ADVANCED_CHANNEL = 'bank_projection_advanced';

/**
 * The position the read models include: the minimum of the projector's watermark rows, the same
 * figure a read with a consistency token waits for. Re-read on every NOTIFY and every `pollMs`,
 * but only while a listener watches (so it costs nothing during throughput phases).
 */
const WATERMARK_SQL = `SELECT coalesce(min(position), 0)::text AS position
  FROM projection_checkpoints WHERE name LIKE 'watermark:%'`;

export class WatermarkWatcher {
  private readonly client: pg.Client;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private closed = false;
  private position = 0n;
  private readonly listeners = new Set<(position: bigint, at: number) => void>();

  constructor(
    databaseUrl: string,
    private readonly pollMs = 10,
  ) {
    this.client = new pg.Client({ connectionString: databaseUrl });
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.client.on('notification', () => this.read());
    this.client.on('error', () => undefined);
    await this.client.query(`LISTEN ${PROJECTION_ADVANCED_CHANNEL}`);
    this.timer = setInterval(() => this.read(), this.pollMs);
    await this.readNow();
  }

  get current(): bigint {
    return this.position;
  }

  /** Called with the new watermark and performance.now() each time it moves. */
  onAdvance(listener: (position: bigint, at: number) => void): () => void {
    this.listeners.add(listener);
    // The figure may be stale from an unwatched while: read it now.
    if (this.listeners.size === 1) this.read();
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the views include `position`; rejects after `timeoutMs`. */
  async waitFor(position: bigint, timeoutMs: number): Promise<void> {
    if (this.position >= position) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          new Error(
            `projection did not reach position ${position} within ${timeoutMs / 1000} s (at ${this.position})`,
          ),
        );
      }, timeoutMs);
      const off = this.onAdvance((p) => {
        if (p < position) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }

  private read(): void {
    // Nobody watching (a throughput phase): do not load the database the bench is measuring.
    if (this.listeners.size === 0) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.readNow();
  }

  private async readNow(): Promise<void> {
    if (this.closed) return;
    this.reading = true;
    try {
      do {
        this.again = false;
        const { rows } = await this.client
          .query<{ position: string }>(WATERMARK_SQL)
          .catch(() => ({ rows: [] }));
        const next = BigInt(rows[0]?.position ?? '0');
        if (next > this.position) {
          this.position = next;
          const at = performance.now();
          for (const listener of this.listeners) listener(next, at);
        }
      } while (this.again && !this.closed);
    } finally {
      this.reading = false;
    }
  }
}

/** The newest event position in this schema's event store. */
export async function headPosition(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ position: string }>(
    'SELECT coalesce(max(position), 0)::text AS position FROM events',
  );
  return BigInt(rows[0]?.position ?? '0');
}
