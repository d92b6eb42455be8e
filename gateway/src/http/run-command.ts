import { randomUUID } from 'node:crypto';
import { AppError } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { commandIdFor, requestHash } from '../idempotency/keys.js';
import { principalOf } from '../plugins/auth.js';
import { problemContext } from '../plugins/errors.js';
import type { CallContext } from '../upstream/clients.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { callContextOf } from './call-context.js';

export interface CommandOutcome<T> {
  readonly body: T;
  /** Cache tags the command changed (accounts, transfers, owners). */
  readonly invalidates: readonly string[];
}

/**
 * Runs a POST exactly once per Idempotency-Key:
 * - the key is claimed in the store (scoped by principal); a duplicate gets the stored answer
 *   (Idempotent-Replayed: true), 422 for another body, 409 while the first still runs;
 * - the command id sent upstream is derived from principal and key, so even a retry the store
 *   no longer remembers is the same command for the command service; a claim keeps the id it was
 *   first run under, and a takeover runs under that one;
 * - final answers (2xx and 4xx) are stored; unknown outcomes (5xx, deadline) and conflicts are
 *   not: the claim is given up so that the client's retry runs again.
 */
export async function runCommand<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  successStatus: 200 | 201,
  execute: (context: commandTypes.CommandContext, call: CallContext) => Promise<CommandOutcome<T>>,
): Promise<FastifyReply> {
  const app = request.server;
  const principal = principalOf(request);
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw new HttpProblem(400, 'VALIDATION_FAILED', 'the Idempotency-Key header is required', {
      field: 'Idempotency-Key',
    });
  }
  const path = request.url.split('?')[0] ?? request.url;
  const hash = requestHash(request.method, path, request.body);
  const store = app.idempotencyStore;

  let begun;
  try {
    begun = await store.begin(principal.id, key, hash, commandIdFor(principal.id, key));
  } catch (error) {
    request.log.error({ err: error }, 'idempotency store failed');
    throw new AppError(
      'unavailable',
      'UNAVAILABLE',
      'the idempotency store is unavailable, try again',
    );
  }
  app.metrics.idempotentReplays.inc({ outcome: begun.kind });
  switch (begun.kind) {
    case 'replay':
      return reply
        .code(begun.response.status)
        .header('idempotent-replayed', 'true')
        .type(begun.response.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json')
        .send(begun.response.body);
    case 'mismatch':
      throw new HttpProblem(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for a different request; use a new key',
      );
    case 'in_flight':
      throw new HttpProblem(
        409,
        'IDEMPOTENCY_IN_FLIGHT',
        'the first request with this Idempotency-Key is still running',
        {
          headers: { 'retry-after': '1' },
        },
      );
    case 'started':
      break;
  }

  const context: commandTypes.CommandContext = {
    commandId: begun.commandId,
    actor: { id: principal.id, roles: [...principal.roles] },
  };
  let outcome: CommandOutcome<T>;
  try {
    outcome = await execute(context, callContextOf(request));
  } catch (error) {
    const problem = toProblem(error, problemContext(request));
    const status = problem.body.status;
    const final = status < 500 && status !== 409 && status !== 429;
    await (
      final
        ? store.complete(principal.id, key, { status, body: problem.body })
        : store.abandon(principal.id, key)
    ).catch((storeError: unknown) =>
      request.log.warn({ err: storeError }, 'idempotency store update failed'),
    );
    throw error;
  }
  await app.responseCache.invalidate(outcome.invalidates, request.log);
  try {
    await store.complete(principal.id, key, { status: successStatus, body: outcome.body });
  } catch (error) {
    // The command is done; a retry takes the stale claim over and gets the command service's replay.
    request.log.warn({ err: error }, 'could not record the idempotent answer');
  }
  return reply.code(successStatus).send(outcome.body);
}

/** A command's answer with its statuses: the batch's and each leg's. */
function hasStatuses(body: unknown): body is WithStatuses {
  return typeof (body as { status?: unknown } | null)?.status === 'string';
}

interface WithStatuses {
  readonly status: string;
  readonly position?: string;
  readonly transfers?: ReadonlyArray<{ readonly status: string }>;
}

/**
 * Runs a dry run: the command service decides and records nothing, so no Idempotency-Key is
 * claimed (the command id is new each time) and no cache is invalidated. The answer is the body
 * a real request would get, without a position, every status prefixed `would_`, and
 * `dryRun: true`; a refusal is the same problem a real request would get.
 */
export async function runDryRun(
  request: FastifyRequest,
  reply: FastifyReply,
  execute: (
    context: commandTypes.CommandContext,
    call: CallContext,
  ) => Promise<CommandOutcome<unknown>>,
): Promise<FastifyReply> {
  const principal = principalOf(request);
  const context: commandTypes.CommandContext = {
    commandId: randomUUID(),
    actor: { id: principal.id, roles: [...principal.roles] },
  };
  const { body } = await execute(context, callContextOf(request));
  if (!hasStatuses(body)) throw new Error('a dry run of a command whose answer has no status');
  const { position: _recordedNothing, ...rest } = body;
  return reply.code(200).send({
    ...rest,
    status: `would_${body.status}`,
    ...(body.transfers
      ? { transfers: body.transfers.map((leg) => ({ ...leg, status: `would_${leg.status}` })) }
      : {}),
    dryRun: true,
  });
}
