import { randomUUID } from 'node:crypto';
import { AppError } from '@bank/platform';
import type { commandTypes } from '@bank/proto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { commandIdFor, requestHash } from '../idempotency/keys.js';
import { principalOf } from '../plugins/auth.js';
import type { CallContext } from '../upstream/clients.js';
import { HttpProblem } from './problem.js';
import { callContextOf } from './call-context.js';

export interface CommandOutcome<T> {
  readonly body: T;
  /** The command service answered with the command's first outcome: nothing happened now. */
  readonly replayed?: boolean;
  /** Cache tags the command changed (accounts, transfers, owners). */
  readonly invalidates: readonly string[];
}

/**
 * Runs a POST exactly once per Idempotency-Key. The gateway keeps nothing: the command id sent
 * upstream is derived from principal and key, and the request's hash (method, path, canonical
 * body) goes with it, so the command service answers a repeat with the first outcome, accepted
 * or refused (Idempotent-Replayed: true), another body under the key with 422
 * IDEMPOTENCY_KEY_REUSED, and a repeat while the first still runs with 409
 * IDEMPOTENCY_IN_FLIGHT. Unknown outcomes (5xx, deadline) are not recorded as outcomes: the
 * client's retry runs the same command again and gets its one result.
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
  const context: commandTypes.CommandContext = {
    commandId: commandIdFor(principal.id, key),
    actor: { id: principal.id, roles: [...principal.roles] },
    requestHash: requestHash(request.method, path, request.body),
  };
  let outcome: CommandOutcome<T>;
  try {
    outcome = await execute(context, callContextOf(request));
  } catch (error) {
    if (error instanceof AppError)
      app.metrics.idempotentReplays.inc({ outcome: replayKind(error) });
    if (error instanceof AppError && error.details.replayed)
      reply.header('idempotent-replayed', 'true');
    throw error;
  }
  app.metrics.idempotentReplays.inc({ outcome: outcome.replayed ? 'replay' : 'started' });
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  await app.responseCache.invalidate(outcome.invalidates, request.log);
  return reply.code(successStatus).send(outcome.body);
}

/** How an upstream refusal counts in the idempotency metric. */
function replayKind(error: AppError): string {
  if (error.details.replayed) return 'replay';
  if (error.code === 'IDEMPOTENCY_KEY_REUSED') return 'mismatch';
  if (error.code === 'IDEMPOTENCY_IN_FLIGHT') return 'in_flight';
  return 'started';
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
