/**
 * The table that orders readers against a swap of rebuilt views (`bank rebuild`).
 *
 * The swap takes it first, ACCESS EXCLUSIVE, and moves the rebuilt tables in under that lock in
 * one transaction, whose last events it applies there too. A reader must take it, ACCESS SHARE,
 * as the first statement of its transaction, before any query: PostgreSQL fixes a REPEATABLE READ
 * transaction's snapshot (and a READ COMMITTED statement's) when a query starts, before the
 * query waits for its table locks. A query queued behind the swap would otherwise read the new
 * tables with a snapshot from before the swap committed: without the rows the swap wrote (an
 * account opened moments before, a balance missing its last deposit). `LOCK TABLE` takes no
 * snapshot, so the first query after it sees the swap's commit. Readers never block each other
 * or the projector on it (ACCESS SHARE conflicts only with ACCESS EXCLUSIVE).
 */
export const SWAP_LOCK_TABLE = 'stream_checkpoints';

/** The statement a reader runs first in its transaction (see SWAP_LOCK_TABLE). */
export const READER_SWAP_LOCK_SQL = `LOCK TABLE ${SWAP_LOCK_TABLE} IN ACCESS SHARE MODE`;
