import pg from 'pg';
import type { Logger } from '@bank/platform';

/**
 * Leadership by a PostgreSQL session advisory lock: of several projector copies, one relays (or
 * projects, in embedded mode) at a time; the others wait. The lock lives as long as the holder's
 * connection, so a crashed leader (even SIGKILL) hands over as soon as PostgreSQL sees the
 * socket close. The key includes current_schema(), so stacks in different schemas do not meet.
 */
export class Leadership {
  private client: pg.Client | undefined;
  private lost = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** Waits until this process holds the lock, or until `stopped()` says to give up (false). */
  async acquire(stopped: () => boolean, pollMs = 1000): Promise<boolean> {
    let announced = false;
    while (!stopped()) {
      try {
        const client = await this.connect();
        const { rows } = await client.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock(hashtext('bank-projector:' || $1), hashtext(current_schema())) AS ok`,
          [this.name],
        );
        if (rows[0]?.ok) {
          this.logger.info({ lock: this.name }, 'leadership acquired');
          return true;
        }
        if (!announced) this.logger.info({ lock: this.name }, 'another instance leads; waiting');
        announced = true;
      } catch (error) {
        this.logger.warn({ err: error, lock: this.name }, 'leadership lock unavailable; retrying');
        await this.release();
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return false;
  }

  /** True once the lock's connection failed: the lock is gone and the work must stop. */
  get isLost(): boolean {
    return this.lost;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.lost = false;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', (error) => {
      this.logger.error({ err: error, lock: this.name }, 'leadership connection lost');
      this.lost = true;
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    return client;
  }
}
