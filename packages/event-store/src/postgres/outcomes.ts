import type { CommandOutcome, CommandOutcomeKey, JsonObject } from '../port.js';
import type { StorePool } from './pool.js';
import type { TableName } from './schema.js';

interface OutcomeRow {
  command_id: string;
  request_hash: string;
  refusal: JsonObject | null;
  position: string | null;
}

/**
 * Client commands' first outcomes (the table beside the events, see schema.ts). An accepted
 * command's row is written by the group-commit append with its events; these are the refusals,
 * the reads and the purge.
 */
export class OutcomeRecords {
  constructor(
    private readonly db: StorePool,
    private readonly table: TableName,
  ) {}

  /**
   * Inserts the refusal unless the command has an outcome, and answers the first outcome, in one
   * statement. A row committed by another transaction after this statement's snapshot is not seen
   * by its SELECT: then it is read again.
   */
  async recordRefusal(
    outcome: CommandOutcomeKey & { readonly refusal: JsonObject },
  ): Promise<{ readonly first: CommandOutcome; readonly recorded: boolean }> {
    for (;;) {
      const { rows } = await this.db.query<OutcomeRow & { recorded: boolean }>(
        `WITH inserted AS (
           INSERT INTO ${this.table.outcomesSql} (command_id, request_hash, refusal)
           VALUES ($1, $2, $3::jsonb)
           ON CONFLICT (command_id) DO NOTHING
           RETURNING command_id, request_hash, refusal, position::text
         )
         SELECT command_id, request_hash, refusal, position, true AS recorded FROM inserted
         UNION ALL
         SELECT command_id, request_hash, refusal, position::text, false
           FROM ${this.table.outcomesSql}
          WHERE command_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
        [outcome.commandId, outcome.requestHash, JSON.stringify(outcome.refusal)],
      );
      const row = rows[0];
      if (row) return { first: outcomeOf(row), recorded: row.recorded };
      const first = await this.readOutcome(outcome.commandId);
      if (first) return { first, recorded: false };
    }
  }

  async readOutcome(commandId: string): Promise<CommandOutcome | undefined> {
    const { rows } = await this.db.query<OutcomeRow>(
      `SELECT command_id, request_hash, refusal, position::text
         FROM ${this.table.outcomesSql} WHERE command_id = $1`,
      [commandId],
    );
    const row = rows[0];
    return row && outcomeOf(row);
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db.query(
      `DELETE FROM ${this.table.outcomesSql} WHERE recorded_at < $1`,
      [before],
    );
    return result.rowCount ?? 0;
  }
}

function outcomeOf(row: OutcomeRow): CommandOutcome {
  return {
    commandId: row.command_id,
    requestHash: row.request_hash,
    ...(row.refusal === null ? {} : { refusal: row.refusal }),
    ...(row.position === null ? {} : { position: BigInt(row.position) }),
  };
}
