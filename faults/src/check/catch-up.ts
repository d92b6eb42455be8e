import type pg from 'pg';
import { sleep } from '../log.js';

/**
 * Waits until every event in the store is in the views: the smallest `watermark:*` checkpoint
 * has reached the head position. False when it does not within `timeoutMs` (a stuck projection).
 */
export async function waitForCatchUp(
  pool: pg.Pool,
  timeoutMs: number,
): Promise<{ ok: boolean; head: bigint; watermark: bigint }> {
  const deadline = Date.now() + timeoutMs;
  let head = 0n;
  let watermark = 0n;
  for (let i = 0; i < 100_000; i += 1) {
    try {
      const { rows } = await pool.query<{ head: string | null; watermark: string | null }>(
        `SELECT (SELECT max(position) FROM events)::text AS head,
                (SELECT min(position) FROM projection_checkpoints WHERE name LIKE 'watermark:%')::text AS watermark`,
      );
      head = BigInt(rows[0]?.head ?? '0');
      watermark = BigInt(rows[0]?.watermark ?? '0');
      if (watermark >= head) return { ok: true, head, watermark };
    } catch {
      // PostgreSQL still coming back
    }
    if (Date.now() >= deadline) break;
    await sleep(250);
  }
  return { ok: false, head, watermark };
}
