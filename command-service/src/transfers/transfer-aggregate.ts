import {
  evolveTransfer,
  initialTransferState,
  TRANSFER_EVENT_TYPES,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import type { Aggregate } from '../infrastructure/aggregate.js';

const TYPES: ReadonlySet<string> = new Set(TRANSFER_EVENT_TYPES);

export const transferAggregate: Aggregate<TransferState, TransferEvent> = {
  name: 'transfer',
  initial: initialTransferState,
  evolve: evolveTransfer,
  accepts: (event): event is TransferEvent => TYPES.has(event.type),
};
