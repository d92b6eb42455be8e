import {
  ACCOUNTS,
  DAILY_BALANCES,
  HOLDS,
  LEDGER_ENTRIES,
  STREAM_CHECKPOINTS,
  TRANSFER_STATUS_HISTORY,
  TRANSFERS,
} from './tables/index.js';

/** The read-model tables the projection writes (every view, and its stream revisions). */
export const VIEW_TABLES = [
  ACCOUNTS.name,
  LEDGER_ENTRIES.name,
  HOLDS.name,
  DAILY_BALANCES.name,
  TRANSFERS.name,
  TRANSFER_STATUS_HISTORY.name,
  STREAM_CHECKPOINTS.name,
] as const;
