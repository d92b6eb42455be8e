import type { queryTypes } from '@bank/proto';
import { MAX_INT64, validationError } from '@bank/platform';
import { requireOwnerId } from './validation.js';

export interface ReadOptions {
  /** Wait until the views include this global position; undefined = no wait. */
  readonly consistencyPosition: bigint | undefined;
  /** Only resources of this owner are visible; undefined = no restriction (staff). */
  readonly restrictToOwner: string | undefined;
}

export function parseReadOptions(
  options: queryTypes.ReadOptions__Output | null | undefined,
): ReadOptions {
  return {
    consistencyPosition: parseConsistencyToken(options?.consistencyToken ?? ''),
    restrictToOwner: options?.restrictToOwner
      ? requireOwnerId(options.restrictToOwner, 'options.restrict_to_owner')
      : undefined,
  };
}

/** A token is a global position as a decimal string: the event store's positions are int64. */
export function parseConsistencyToken(token: string): bigint | undefined {
  if (token === '') return undefined;
  if (!/^[0-9]{1,19}$/.test(token)) {
    throw validationError(
      'consistency token must be a non-negative integer',
      'options.consistency_token',
    );
  }
  const position = BigInt(token);
  if (position > MAX_INT64) {
    throw validationError('consistency token is out of range', 'options.consistency_token');
  }
  return position;
}

/** Owner restriction: a resource of someone else is reported exactly like a missing one. */
export function visibleTo(
  restrictToOwner: string | undefined,
  ...owners: readonly (string | null | undefined)[]
): boolean {
  return restrictToOwner === undefined || owners.some((owner) => owner === restrictToOwner);
}
