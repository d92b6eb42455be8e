import {
  TRANSFER_EVENT_TYPES,
  transferDecider,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import type { StreamKind } from '../infrastructure/stream-kind.js';

const TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);

export const transferKind: StreamKind<TransferState, TransferEvent> = {
  name: 'transfer',
  initialState: transferDecider.initialState,
  evolve: transferDecider.evolve,
  accepts: (event): event is TransferEvent => TYPES.has(event.type),
};
