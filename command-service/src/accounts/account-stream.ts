import {
  ACCOUNT_EVENT_TYPES,
  accountDecider,
  type AccountEvent,
  type AccountState,
} from '@bank/domain';
import type { StreamKind } from '../infrastructure/stream-kind.js';

const TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);

export const accountKind: StreamKind<AccountState, AccountEvent> = {
  name: 'account',
  initialState: accountDecider.initialState,
  evolve: accountDecider.evolve,
  accepts: (event): event is AccountEvent => TYPES.has(event.type),
};
