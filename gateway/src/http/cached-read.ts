import { MAX_INT64 } from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ownerRestriction } from '@bank/platform';
import { ifNoneMatchMatches } from '../cache/response-cache.js';
import { principalOf } from '../plugins/auth.js';
import type { CallContext } from '../upstream/clients.js';
import { callContextOf } from './call-context.js';
import { HttpProblem } from './problem.js';

export interface ReadOutcome<T> {
  readonly body: T;
  /** Cache tags of what the answer shows: a command on any of them drops the entry. */
  readonly tags: readonly string[];
}

/**
 * Answers a GET from the per-principal cache or the query service, with an ETag (304 on a
 * matching If-None-Match). X-Consistency-Token skips the cache and makes the query service
 * wait until its views include that position. Customers' reads are restricted to their own
 * resources upstream (restrict_to_owner).
 */
export async function cachedRead<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  load: (options: queryTypes.ReadOptions, call: CallContext) => Promise<ReadOutcome<T>>,
): Promise<FastifyReply> {
  const app = request.server;
  const principal = principalOf(request);
  const token = request.headers['x-consistency-token'];
  const consistencyToken = typeof token === 'string' ? token : '';
  // Positions are 64-bit: a token past that was never returned by a command.
  if (consistencyToken !== '' && BigInt(consistencyToken) > MAX_INT64) {
    throw new HttpProblem(400, 'VALIDATION_FAILED', 'X-Consistency-Token is not a position', {
      field: 'X-Consistency-Token',
    });
  }
  const key = JSON.stringify([principal.id, [...principal.roles].sort(), request.url]);

  let cached = consistencyToken ? undefined : await app.responseCache.lookup(key, request.log);
  const hit = cached !== undefined;
  cached ??= await app.responseCache.fill(
    key,
    () =>
      load(
        { consistencyToken, restrictToOwner: ownerRestriction(principal) },
        callContextOf(request),
      ),
    request.log,
  );
  reply.header('etag', cached.etag).header('cache-control', 'private, no-cache');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatchMatches(ifNoneMatch, cached.etag)) {
    app.metrics.cacheRequests.inc({ result: 'revalidated' });
    return reply.code(304).send();
  }
  app.metrics.cacheRequests.inc({ result: hit ? 'hit' : 'miss' });
  return reply.code(200).send(cached.body);
}
