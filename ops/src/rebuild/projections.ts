/**
 * What `bank rebuild <name>` rebuilds. Streams map one to one onto projections (account events
 * live on `account-*` streams, transfer events on `transfer-*`), so a projection's rows in the
 * shared `stream_checkpoints` table are the ones whose stream id has its prefix.
 *
 * Not rebuilt, ever: `projection_checkpoints` (the relay's position and the consumers'
 * watermarks describe the projector's progress, which stays valid across a swap: see
 * docs/operations-cli.md) and `projection_dead_letters` (an operator's log, not a view).
 */
export interface ProjectionSpec {
  readonly name: ProjectionName;
  /** View tables moved into place by the swap. */
  readonly tables: readonly string[];
  /** Streams the projection folds; undefined: every stream. */
  readonly streamPrefixes: readonly string[] | undefined;
  /** Whether `stream_checkpoints` is swapped whole (all) or only the projection's rows. */
  readonly swapsStreamCheckpointsTable: boolean;
}

/** Tables whose rows the projection only ever inserts: never looked up or updated by key. */
export const APPEND_ONLY_TABLES: readonly string[] = ['ledger_entries', 'transfer_status_history'];

export const PROJECTION_NAMES = ['accounts', 'transfers', 'all'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

const ACCOUNT_TABLES = ['accounts', 'ledger_entries', 'holds', 'daily_balances'] as const;
const TRANSFER_TABLES = ['transfers', 'transfer_status_history'] as const;

export const PROJECTIONS: Record<ProjectionName, ProjectionSpec> = {
  accounts: {
    name: 'accounts',
    tables: ACCOUNT_TABLES,
    streamPrefixes: ['account-'],
    swapsStreamCheckpointsTable: false,
  },
  transfers: {
    name: 'transfers',
    tables: TRANSFER_TABLES,
    streamPrefixes: ['transfer-'],
    swapsStreamCheckpointsTable: false,
  },
  all: {
    name: 'all',
    tables: ['stream_checkpoints', ...ACCOUNT_TABLES, ...TRANSFER_TABLES],
    streamPrefixes: undefined,
    swapsStreamCheckpointsTable: true,
  },
};

export function isProjectionName(value: string): value is ProjectionName {
  return (PROJECTION_NAMES as readonly string[]).includes(value);
}

/** A quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
