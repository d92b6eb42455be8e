// Original file: proto/bank/v1/queries.proto

import type { ProjectionCheckpoint as _bank_v1_ProjectionCheckpoint, ProjectionCheckpoint__Output as _bank_v1_ProjectionCheckpoint__Output } from '../../bank/v1/ProjectionCheckpoint.js';

export interface ProjectionStatus {
  'consistentPosition'?: (string);
  'checkpoints'?: (_bank_v1_ProjectionCheckpoint)[];
  'secondsSinceLastApplied'?: (number | string);
}

export interface ProjectionStatus__Output {
  'consistentPosition': (string);
  'checkpoints': (_bank_v1_ProjectionCheckpoint__Output)[];
  'secondsSinceLastApplied': (number);
}
