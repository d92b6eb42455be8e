import { MAX_BATCH_LEGS } from '@bank/domain';
import { accountTag, transferTag } from '../cache/response-cache.js';
import type { ProblemCode } from '../http/problem-codes.js';
import {
  transferBatchResultJson,
  transferBatchViewJson,
  transferJson,
  transferResultJson,
} from '../upstream/mapping.js';
import { Type } from '@sinclair/typebox';
import {
  accountParams,
  command,
  dryRunField,
  object,
  oneOf,
  query,
  ref,
  WELL_FORMED,
} from './operation.js';

const tags = ['transfers'];

/** What a transfer's source, destination or rules can refuse it with. */
const TRANSFER_PROBLEMS: readonly ProblemCode[] = [
  'NOT_FOUND',
  'ACCOUNT_NOT_FOUND',
  'SAME_ACCOUNT',
  'CURRENCY_MISMATCH',
  'ACCOUNT_FROZEN',
  'ACCOUNT_CLOSED',
  'INSUFFICIENT_FUNDS',
];

/** A transfer as requested: the body of POST /v1/transfers and each leg of a batch. */
const transferBody = object({
  fromAccountId: ref('Uuid'),
  toAccountId: ref('Uuid'),
  amount: ref('Amount'),
  reference: Type.Optional(Type.String({ maxLength: 140, pattern: WELL_FORMED })),
});

export const requestTransfer = command({
  operationId: 'requestTransfer',
  path: '/v1/transfers',
  rpc: 'RequestTransfer',
  problems: TRANSFER_PROBLEMS,
  summary: 'Transfer money',
  description:
    "From the owner's source account. 422 (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN, ...) " +
    'when the source plainly cannot pay, with nothing recorded. Otherwise 201 with the final ' +
    'status, also when it ended failed: the destination refused the credit (the source was ' +
    'refunded), or a concurrent debit took the money first (none moved). See failureReason; ' +
    'GET /v1/transfers/{id} shows the timeline. With "dryRun": true, 200 with what would ' +
    'happen and nothing recorded.',
  tags,
  status: 201,
  result: 'TransferResult',
  dryRunResult: 'TransferDryRun',
  body: object({ ...transferBody.properties, ...dryRunField }),
  async send(request, commands, context, call) {
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
      replayed: result.replayed,
      invalidates: [
        accountTag(fromAccountId),
        accountTag(toAccountId),
        transferTag(result.transferId),
      ],
    };
  },
});

export const reverseTransfer = command({
  operationId: 'reverseTransfer',
  path: '/v1/transfers/:id/reversals',
  rpc: 'ReverseTransfer',
  problems: [
    'TRANSFER_NOT_FOUND',
    'TRANSFER_NOT_REVERSIBLE',
    'REVERSAL_EXCEEDS_ORIGINAL',
    'ACCOUNT_FROZEN',
    'ACCOUNT_CLOSED',
    'INSUFFICIENT_FUNDS',
    'BALANCE_LIMIT_EXCEEDED',
    'MULTI_STREAM_APPEND_UNSUPPORTED',
  ],
  summary: 'Reverse a transfer',
  description:
    'A new transfer moving `amount` (absent: all that is left to reverse) back from the ' +
    'original destination to its source, linked to the original (its `reversalOf`; the ' +
    'original shows `reversedAmount`). Reversals together never move back more than the ' +
    'original moved: 422 REVERSAL_EXCEEDS_ORIGINAL. Only a completed transfer can be reversed ' +
    '(422 TRANSFER_NOT_REVERSIBLE). 422 with the reason when the destination cannot pay it ' +
    'back or the source cannot take it (frozen, closed): a reversal moves the money or ' +
    'nothing. On an event store without the atomic multi-stream append, 422 ' +
    'MULTI_STREAM_APPEND_UNSUPPORTED.',
  tags,
  params: accountParams,
  status: 201,
  result: 'TransferResult',
  body: object(
    {
      amount: Type.Optional(ref('Amount')),
      reference: Type.Optional(Type.String({ maxLength: 140, pattern: WELL_FORMED })),
    },
    'All fields optional; the body may be omitted.',
  ),
  async send(request, commands, context, call) {
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
      replayed: result.replayed,
      invalidates: [
        accountTag(result.fromAccountId),
        accountTag(result.toAccountId),
        transferTag(request.params.id),
        transferTag(result.transferId),
      ],
    };
  },
});

/**
 * The body limit of POST /v1/transfer-batches: 1,000 legs whose references are 140 characters
 * written as JSON escapes of astral characters (12 bytes each) come to about 1.9 MB.
 */
export const TRANSFER_BATCH_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export const requestTransferBatch = command({
  operationId: 'requestTransferBatch',
  path: '/v1/transfer-batches',
  rpc: 'RequestTransferBatch',
  // A leg's declined credit refuses the batch too (a single transfer records it as failed).
  problems: [...TRANSFER_PROBLEMS, 'BALANCE_LIMIT_EXCEEDED', 'MULTI_STREAM_APPEND_UNSUPPORTED'],
  summary: 'Transfer money in a batch',
  description:
    `1 to ${MAX_BATCH_LEGS} transfers, decided in order, each on the balances the earlier legs ` +
    'left (A→B then B→C may spend what the first brought), recorded in one atomic append. ' +
    'mode "atomic": every leg applies or none does; one refused leg refuses the batch with ' +
    '422: `code` is its reason and `field` names it (`transfers[<index>]`); nothing is recorded. ' +
    'mode "independent": each leg applies or fails on its own (a failed leg is a failed ' +
    'transfer with its `code`), and the batch is "completed", "partial" or "failed" (201). ' +
    'With "dryRun": true, 200 with what would happen and nothing recorded. ' +
    'A customer sends only from their own accounts. Each leg is a ' +
    'transfer (GET /v1/transfers/{id}, with its batchId). On an event store without the atomic ' +
    'multi-stream append, an atomic batch is refused with 422 MULTI_STREAM_APPEND_UNSUPPORTED.',
  tags,
  status: 201,
  result: 'TransferBatchResult',
  dryRunResult: 'TransferBatchDryRun',
  // 1,000 legs need more than the body limit of the other routes (which keep theirs).
  bodyLimit: TRANSFER_BATCH_BODY_LIMIT_BYTES,
  body: object({
    ...dryRunField,
    mode: oneOf(['atomic', 'independent'], 'atomic: every leg or none; independent: each alone.'),
    transfers: Type.Array(transferBody, { minItems: 1, maxItems: MAX_BATCH_LEGS }),
  }),
  async send(request, commands, context, call) {
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
      replayed: result.replayed,
      invalidates: [
        ...[...accounts].map(accountTag),
        ...result.transfers.map((leg) => transferTag(leg.transferId)),
      ],
    };
  },
});

export const getTransferBatch = query({
  operationId: 'getTransferBatch',
  path: '/v1/transfer-batches/:id',
  problems: ['NOT_FOUND'],
  summary: 'Get a transfer batch',
  description:
    'The batch and each leg (its transfer id and status), in order. A customer sees a batch ' +
    'when they own a party of one of its legs.',
  tags,
  params: accountParams,
  result: 'TransferBatch',
  async load(request, queries, options, call) {
    const batch = await queries.GetTransferBatch({ options, batchId: request.params.id }, call);
    return {
      body: transferBatchViewJson(batch),
      tags: batch.transfers.map((leg) => transferTag(leg.transferId)),
    };
  },
});

export const getTransfer = query({
  operationId: 'getTransfer',
  path: '/v1/transfers/:id',
  problems: ['NOT_FOUND'],
  summary: 'Get a transfer',
  description: 'Status and timeline. A customer sees it when they own either account.',
  tags,
  params: accountParams,
  result: 'Transfer',
  async load(request, queries, options, call) {
    const transfer = await queries.GetTransfer({ options, transferId: request.params.id }, call);
    return {
      body: transferJson(transfer),
      tags: [
        transferTag(transfer.transferId),
        accountTag(transfer.fromAccountId),
        accountTag(transfer.toAccountId),
      ],
    };
  },
});
