import type { FastifyInstance } from 'fastify';
import type { Role } from '@bank/platform';
import { accountTag, transferTag } from '../cache/response-cache.js';
import { cachedRead } from '../http/cached-read.js';
import { runCommand } from '../http/run-command.js';
import {
  getTransferBatchSchema,
  getTransferSchema,
  requestTransferBatchSchema,
  requestTransferSchema,
  TRANSFER_BATCH_BODY_LIMIT_BYTES,
} from '../schemas/routes.js';
import {
  transferBatchResultJson,
  transferBatchViewJson,
  transferJson,
  transferResultJson,
} from '../upstream/mapping.js';

const EVERYONE: readonly Role[] = ['customer', 'teller', 'admin'];

/**
 * Transfers: request one (the command service runs it to its end), read its timeline; batches of
 * them, and a batch with its legs.
 */
export default function transferRoutes(app: FastifyInstance): void {
  const { commands, queries } = app.upstreams;

  app.post<{
    Body: { fromAccountId: string; toAccountId: string; amount: string; reference?: string };
  }>(
    '/v1/transfers',
    { schema: requestTransferSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      runCommand(request, reply, 201, async (context, call) => {
        const { fromAccountId, toAccountId, amount, reference } = request.body;
        const result = await commands.RequestTransfer(
          {
            context,
            transferId: '',
            fromAccountId,
            toAccountId,
            amount,
            reference: reference ?? '',
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
  app.post<{ Body: { mode: 'atomic'; transfers: Leg[] } }>(
    '/v1/transfer-batches',
    {
      schema: requestTransferBatchSchema,
      config: { roles: EVERYONE },
      // 1,000 legs need more than the body limit of the other routes (which keep theirs).
      bodyLimit: Math.max(app.initialConfig.bodyLimit ?? 0, TRANSFER_BATCH_BODY_LIMIT_BYTES),
    },
    (request, reply) =>
      runCommand(request, reply, 201, async (context, call) => {
        const { mode, transfers: legs } = request.body;
        const result = await commands.RequestTransferBatch(
          {
            context,
            mode,
            transfers: legs.map((leg) => ({ ...leg, reference: leg.reference ?? '' })),
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
