import {
  ACCOUNT_EVENT_TYPES,
  evolveAccount,
  initialAccountState,
  type AccountEvent,
  type AccountState,
} from '@bank/domain';
import type { Aggregate } from '../infrastructure/aggregate.js';

const TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);

export const accountAggregate: Aggregate<AccountState, AccountEvent> = {
  name: 'account',
  initial: initialAccountState,
  evolve: evolveAccount,
  accepts: (event): event is AccountEvent => TYPES.has(event.type),
};
