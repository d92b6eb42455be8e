import { ACCOUNT_EVENT_TYPES, accountDecider } from '@bank/domain';
import { streamKindOf } from '../infrastructure/stream-kind.js';

export const accountKind = streamKindOf('account', accountDecider, ACCOUNT_EVENT_TYPES);
