/** The read-model tables the projection writes (every view, and its stream revisions). */
export const VIEW_TABLES = [
  'accounts',
  'ledger_entries',
  'holds',
  'daily_balances',
  'transfers',
  'transfer_status_history',
  'stream_checkpoints',
] as const;
