import type { Knex } from 'knex';
import type { ConsistencyGate } from './consistency/consistency-gate.js';

/** What every query handler needs: the read-model database and the read-your-writes gate. */
export interface QueryDeps {
  readonly knex: Knex;
  readonly consistency: ConsistencyGate;
}
