import pg from 'pg';

/**
 * What work costs the PostgreSQL event store, measured from outside the code under test: the
 * statements this process sends (each one round trip; counted on every pg client here), the
 * transactions that wrote events (distinct xmin of the rows), and WAL flushes (pg_stat_wal's
 * wal_sync, cluster-wide, so other sessions on the server add to it: reported, not asserted, with
 * the count over as long a time right after, while nothing is sent).
 */
export interface StoreCost {
  readonly roundTrips: number;
  readonly writeTransactions: number;
  readonly walFlushes: number;
  readonly idleWalFlushes: number;
}

export async function measureStoreCost(db: pg.Pool, work: () => Promise<void>): Promise<StoreCost> {
  const { rows: startRows } = await db.query<{ head: string }>(
    'SELECT coalesce(max(position), 0)::text AS head FROM events',
  );
  const head = startRows[0]?.head ?? '0';
  // Every query of every pg client in this process goes through this property.
  const clients = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clients.query;
  const walBefore = await walSyncs(db);
  const started = performance.now();
  let statements = 0;
  clients.query = function (this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return query.apply(this, args);
  };
  try {
    await work();
  } finally {
    clients.query = query;
  }
  const walAfter = await walSyncs(db);
  // The other sessions' flushes over as long again, idle here: an estimate of the noise.
  await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
  const walIdle = (await walSyncs(db)) - walAfter;
  const { rows } = await db.query<{ transactions: string }>(
    `SELECT count(DISTINCT xmin::text) AS transactions FROM events WHERE position > $1`,
    [head],
  );
  return {
    roundTrips: statements,
    writeTransactions: Number(rows[0]?.transactions),
    walFlushes: Number(walAfter - walBefore),
    idleWalFlushes: Number(walIdle),
  };
}

async function walSyncs(db: pg.Pool): Promise<bigint> {
  const { rows } = await db.query<{ wal_sync: string }>('SELECT wal_sync::text FROM pg_stat_wal');
  return BigInt(rows[0]?.wal_sync ?? '0');
}

/** A cost per unit of work. */
export const perUnit = (cost: StoreCost, units: number): StoreCost => ({
  roundTrips: cost.roundTrips / units,
  writeTransactions: cost.writeTransactions / units,
  walFlushes: cost.walFlushes / units,
  idleWalFlushes: cost.idleWalFlushes / units,
});

export const describeCost = (cost: StoreCost, unit: string): string =>
  `${cost.roundTrips.toFixed(2)} round trips, ${cost.writeTransactions.toFixed(2)} write ` +
  `transactions, ${cost.walFlushes.toFixed(2)} WAL flushes (cluster-wide; ` +
  `${cost.idleWalFlushes.toFixed(2)} over as long idle) per ${unit}`;
