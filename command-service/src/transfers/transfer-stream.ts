import { TRANSFER_EVENT_TYPES, transferDecider } from '@bank/domain';
import { streamKindOf } from '../infrastructure/stream-kind.js';

export const transferKind = streamKindOf('transfer', transferDecider, TRANSFER_EVENT_TYPES);
