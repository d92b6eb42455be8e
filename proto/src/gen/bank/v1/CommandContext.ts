// Original file: proto/bank/v1/common.proto

import type { Actor as _bank_v1_Actor, Actor__Output as _bank_v1_Actor__Output } from '../../bank/v1/Actor.js';

export interface CommandContext {
  'commandId'?: (string);
  'actor'?: (_bank_v1_Actor | null);
  'requestHash'?: (string);
}

export interface CommandContext__Output {
  'commandId': (string);
  'actor': (_bank_v1_Actor__Output | null);
  'requestHash': (string);
}
