import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '@bank/platform';
import { accountTag, transferTag } from '../cache/response-cache.js';
import { cachedRead } from '../http/cached-read.js';
import { emptyBodyIsObject } from '../http/empty-body.js';
import { runCommand, runDryRun, type CommandOutcome } from '../http/run-command.js';
import type { CallContext } from '../upstream/clients.js';
import type { commandTypes } from '@bank/proto';
import {
  getTransferBatchSchema,
  getTransferSchema,
  requestTransferBatchSchema,
  requestTransferSchema,
  reverseTransferSchema,
  TRANSFER_BATCH_BODY_LIMIT_BYTES,
} from '../schemas/routes.js';
import {
  transferBatchResultJson,
  transferBatchViewJson,
  transferJson,
  transferResultJson,
} from '../upstream/mapping.js';

const EVERYONE: readonly Role[] = ['customer', 'teller', 'admin'];
const STAFF: readonly Role[] = ['teller', 'admin'];

type Execute<T> = (
  context: commandTypes.CommandContext,
  call: CallContext,
) => Promise<CommandOutcome<T>>;

/** A command whose body may ask for a dry run: run as one, or exactly once per key. */
function runOrDryRun<T extends { status: string }>(
  request: FastifyRequest<{ Body: { dryRun?: boolean } }>,
  reply: FastifyReply,
  execute: Execute<T>,
): Promise<FastifyReply> {
  return request.body.dryRun === true
    ? runDryRun(request, reply, execute)
    : runCommand(request, reply, 201, execute);
}

/**
 * Transfers: request one (the command service runs it to its end), read its timeline; batches of
 * them, and a batch with its legs.
 */
export default function transferRoutes(app: FastifyInstance): void {
  const { commands, queries } = app.upstreams;

  app.post<{
    Body: {
      fromAccountId: string;
      toAccountId: string;
      amount: string;
      reference?: string;
      dryRun?: boolean;
    };
  }>(
    '/v1/transfers',
    { schema: requestTransferSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      runOrDryRun(request, reply, async (context, call) => {
        const { fromAccountId, toAccountId, amount, reference, dryRun } = request.body;
        const result = await commands.RequestTransfer(
          {
            context,
            transferId: '',
            fromAccountId,
            toAccountId,
            amount,
            reference: reference ?? '',
            dryRun: dryRun === true,
          },
          call,
        );
        return {
          body: transferResultJson(result),
          invalidates: [
            accountTag(fromAccountId),
            accountTag(toAccountId),
            transferTag(result.transferId),
          ],
        };
      }),
  );

  type Leg = { fromAccountId: string; toAccountId: string; amount: string; reference?: string };
  app.post<{ Body: { mode: 'atomic' | 'independent'; transfers: Leg[]; dryRun?: boolean } }>(
    '/v1/transfer-batches',
    {
      schema: requestTransferBatchSchema,
      config: { roles: EVERYONE },
      // 1,000 legs need more than the body limit of the other routes (which keep theirs).
      bodyLimit: Math.max(app.initialConfig.bodyLimit ?? 0, TRANSFER_BATCH_BODY_LIMIT_BYTES),
    },
    (request, reply) =>
      runOrDryRun(request, reply, async (context, call) => {
        const { mode, transfers: legs, dryRun } = request.body;
        const result = await commands.RequestTransferBatch(
          {
            context,
            mode,
            transfers: legs.map((leg) => ({ ...leg, reference: leg.reference ?? '' })),
            dryRun: dryRun === true,
          },
          call,
        );
        const accounts = new Set(legs.flatMap((leg) => [leg.fromAccountId, leg.toAccountId]));
        return {
          body: transferBatchResultJson(result),
          invalidates: [
            ...[...accounts].map(accountTag),
            ...result.transfers.map((leg) => transferTag(leg.transferId)),
          ],
        };
      }),
  );

  app.post<{ Params: { id: string }; Body: { amount?: string; reference?: string } }>(
    '/v1/transfers/:id/reversals',
    { schema: reverseTransferSchema, config: { roles: STAFF }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 201, async (context, call) => {
        const result = await commands.ReverseTransfer(
          {
            context,
            transferId: request.params.id,
            amount: request.body.amount ?? '',
            reference: request.body.reference ?? '',
          },
          call,
        );
        return {
          body: transferResultJson(result),
          invalidates: [
            accountTag(result.fromAccountId),
            accountTag(result.toAccountId),
            transferTag(request.params.id),
            transferTag(result.transferId),
          ],
        };
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/transfer-batches/:id',
    { schema: getTransferBatchSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
        const batch = await queries.GetTransferBatch({ options, batchId: request.params.id }, call);
        return {
          body: transferBatchViewJson(batch),
          tags: batch.transfers.map((leg) => transferTag(leg.transferId)),
        };
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/transfers/:id',
    { schema: getTransferSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
        const transfer = await queries.GetTransfer(
          { options, transferId: request.params.id },
          call,
        );
        return {
          body: transferJson(transfer),
          tags: [
            transferTag(transfer.transferId),
            accountTag(transfer.fromAccountId),
            accountTag(transfer.toAccountId),
          ],
        };
      }),
  );
}
