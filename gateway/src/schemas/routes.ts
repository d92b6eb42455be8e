import type { FastifySchema } from 'fastify';
import { MAX_BATCH_LEGS } from '@bank/domain';
import { LIMIT_PATTERN } from './shared.js';
import { operationProblems, problemResponses, type ProblemCode } from '../http/problem-codes.js';

/**
 * Request and response schemas of every route. Requests are strict: unknown fields, wrong
 * types and JSON numbers for amounts are 400s (the validator neither coerces nor strips).
 */

declare module 'fastify' {
  interface FastifySchema {
    /** Every problem `code` the operation can answer. */
    'x-problem-codes'?: readonly string[];
  }
}

/**
 * Free text must be well-formed Unicode: a lone surrogate (valid in JSON, "\ud800") cannot be
 * stored as UTF-8 and would silently become U+FFFD. A 400 instead (Ajv compiles patterns with
 * the `u` flag, where \P{Cs} matches every code point but an unpaired surrogate).
 */
const WELL_FORMED = '^\\P{Cs}*$';

const json = (description: string, ref: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `${ref}#` } } },
});

const bearer = [{ bearerAuth: [] }];

const idempotencyHeaders = {
  type: 'object',
  required: ['idempotency-key'],
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Required on every POST. The same key with the same body replays the first answer ' +
        '(Idempotent-Replayed: true); with another body it is a 422. Keys are kept at least 24 h.',
    },
  },
} as const;

/** A command with a dry run needs the key only when it records something. */
const dryRunIdempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      ...idempotencyHeaders.properties['idempotency-key'],
      description:
        'Required unless the body says "dryRun": true (a dry run records nothing). ' +
        idempotencyHeaders.properties['idempotency-key'].description.replace(
          'Required on every POST. ',
          '',
        ),
    },
  },
} as const;

/** The body field that asks for a dry run. */
const dryRunField = {
  dryRun: {
    type: 'boolean',
    description:
      'true: decide and answer 200 with what would happen (statuses prefixed `would_`), ' +
      'recording nothing; no Idempotency-Key needed. A refusal is the same problem a real ' +
      'request would get.',
  },
} as const;

const readHeaders = {
  type: 'object',
  properties: {
    'x-consistency-token': {
      type: 'string',
      pattern: '^[0-9]{1,19}$',
      description:
        'A `position` a command returned (at most 2^63 - 1): the answer includes that write ' +
        "(bypasses the cache). A position beyond the event store's head is a 400 " +
        '(CONSISTENCY_TOKEN_BEYOND_HEAD).',
    },
    'if-none-match': {
      type: 'string',
      description: 'An ETag from an earlier answer: 304 when unchanged.',
    },
  },
} as const;

const accountParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { $ref: 'Uuid#' } },
} as const;

const holdParams = {
  type: 'object',
  required: ['id', 'holdId'],
  additionalProperties: false,
  properties: { id: { $ref: 'Uuid#' }, holdId: { $ref: 'Uuid#' } },
} as const;

const emptyBody = {
  type: 'object',
  additionalProperties: false,
  properties: {},
  description: 'No fields; the body may be omitted.',
} as const;

function command(options: {
  operationId: string;
  problems: readonly ProblemCode[];
  summary: string;
  description: string;
  tags: string[];
  params?: object;
  body: object;
  status: 200 | 201;
  result: string;
  /** The answer of a dry run (200), when the body may ask for one (`dryRunField`). */
  dryRunResult?: string;
}): FastifySchema {
  const problems = operationProblems('command', options.problems);
  return {
    operationId: options.operationId,
    summary: options.summary,
    description: options.description,
    tags: options.tags,
    'x-problem-codes': problems,
    security: bearer,
    headers: options.dryRunResult ? dryRunIdempotencyHeaders : idempotencyHeaders,
    ...(options.params ? { params: options.params } : {}),
    body: options.body,
    response: {
      [options.status]: json(options.status === 201 ? 'Created.' : 'Done.', options.result),
      ...(options.dryRunResult
        ? { 200: json('A dry run: what would happen; nothing recorded.', options.dryRunResult) }
        : {}),
      ...problemResponses(problems),
    },
  };
}

function query(options: {
  operationId: string;
  problems: readonly ProblemCode[];
  summary: string;
  description: string;
  tags: string[];
  params?: object;
  querystring?: object;
  result: string;
}): FastifySchema {
  const problems = operationProblems('read', options.problems);
  return {
    operationId: options.operationId,
    summary: options.summary,
    description: options.description,
    tags: options.tags,
    'x-problem-codes': problems,
    security: bearer,
    headers: readHeaders,
    ...(options.params ? { params: options.params } : {}),
    // No query parameters unless a route lists them: an unknown one is a 400 everywhere.
    // (`properties` present, so that the document lists no parameter for it).
    querystring: options.querystring ?? {
      type: 'object',
      additionalProperties: false,
      properties: {},
    },
    response: {
      200: json('OK, with an ETag.', options.result),
      304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
      ...problemResponses(problems),
    },
  };
}

const accounts = ['accounts'];
const holds = ['holds'];
const transfers = ['transfers'];

export const openAccountSchema = command({
  operationId: 'openAccount',
  problems: [],
  summary: 'Open an account',
  description:
    'Customers open accounts for themselves (ownerId absent or their own id) and without an ' +
    'overdraft (a non-zero overdraftLimit is a 403); tellers and admins for any owner (ownerId, ' +
    'else themselves), with any overdraft limit.',
  tags: accounts,
  status: 201,
  result: 'AccountCommandResult',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['currency'],
    properties: {
      currency: { $ref: 'Currency#' },
      type: {
        type: 'string',
        enum: ['checking', 'savings'],
        description: 'checking (default) or savings.',
      },
      overdraftLimit: { $ref: 'Amount#' },
      ownerId: { $ref: 'OwnerId#' },
    },
  },
});

export const listAccountsSchema = query({
  operationId: 'listAccounts',
  problems: [],
  summary: 'List accounts',
  description: 'Customers see their own accounts; tellers and admins pass ?ownerId=.',
  tags: accounts,
  result: 'AccountList',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { ownerId: { $ref: 'OwnerId#' } },
  },
});

export const getAccountSchema = query({
  operationId: 'getAccount',
  problems: ['NOT_FOUND'],
  summary: 'Get an account',
  description: 'Balance, available, held, status and revision. Owner, teller, admin.',
  tags: accounts,
  params: accountParams,
  result: 'Account',
});

const moneyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  properties: { amount: { $ref: 'Amount#' } },
} as const;

export const depositSchema = command({
  operationId: 'deposit',
  problems: [
    'NOT_FOUND',
    'ACCOUNT_NOT_FOUND',

    'ACCOUNT_FROZEN',
    'ACCOUNT_CLOSED',
    'BALANCE_LIMIT_EXCEEDED',
  ],
  summary: 'Deposit',
  description:
    'Teller, admin. 422 BALANCE_LIMIT_EXCEEDED when the balance would pass 10^18 minor units.',
  tags: accounts,
  params: accountParams,
  body: moneyBody,
  status: 200,
  result: 'AccountCommandResult',
});

/** What a command that takes money from an account's available balance can be refused with. */
const DEBIT_PROBLEMS: readonly ProblemCode[] = [
  'NOT_FOUND',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_FROZEN',
  'ACCOUNT_CLOSED',
  'INSUFFICIENT_FUNDS',
];

export const withdrawSchema = command({
  operationId: 'withdraw',
  problems: DEBIT_PROBLEMS,
  summary: 'Withdraw',
  description: 'Owner, teller, admin. 422 INSUFFICIENT_FUNDS when available would go below zero.',
  tags: accounts,
  params: accountParams,
  body: moneyBody,
  status: 200,
  result: 'AccountCommandResult',
});

export const placeHoldSchema = command({
  operationId: 'placeHold',
  problems: [...DEBIT_PROBLEMS, 'HOLD_EXPIRED'],
  summary: 'Place a hold',
  description: 'Teller, admin. Reserves an amount; answers the hold id.',
  tags: holds,
  params: accountParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['amount'],
    properties: {
      amount: { $ref: 'Amount#' },
      expiresAt: {
        type: 'string',
        format: 'date-time',
        description: 'RFC 3339; the hold expires then.',
      },
    },
  },
  status: 200,
  result: 'HoldResult',
});

export const captureHoldSchema = command({
  operationId: 'captureHold',
  problems: [
    'NOT_FOUND',
    'ACCOUNT_NOT_FOUND',
    'HOLD_NOT_FOUND',

    'ACCOUNT_FROZEN',
    'ACCOUNT_CLOSED',
    'HOLD_EXPIRED',
    'CAPTURE_EXCEEDS_HOLD',
  ],
  summary: 'Capture a hold',
  description:
    'Teller, admin. Captures the whole hold, or `amount` of it (at most the hold, else 422 ' +
    'CAPTURE_EXCEEDS_HOLD): that amount leaves the balance and the hold closes. A partial ' +
    'capture releases the rest of the hold at once, back to the available balance (as posting ' +
    'a pending transfer does), so the rest cannot be captured later. The answer says how much ' +
    'went back (`released`, "0.00" when all of it was captured); GET the hold for `captured` ' +
    'and `released` later.',
  tags: holds,
  params: holdParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { amount: { $ref: 'Amount#' } },
  },
  status: 200,
  result: 'HoldCaptureResult',
});

export const releaseHoldSchema = command({
  operationId: 'releaseHold',
  problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'HOLD_NOT_FOUND'],
  summary: 'Release a hold',
  description: 'Teller, admin.',
  tags: holds,
  params: holdParams,
  body: emptyBody,
  status: 200,
  result: 'AccountCommandResult',
});

export const freezeSchema = command({
  operationId: 'freezeAccount',
  problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED'],
  summary: 'Freeze an account',
  description: 'Admin.',
  tags: accounts,
  params: accountParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: 500, pattern: WELL_FORMED } },
  },
  status: 200,
  result: 'AccountCommandResult',
});

export const unfreezeSchema = command({
  operationId: 'unfreezeAccount',
  problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FROZEN', 'ACCOUNT_CLOSED'],
  summary: 'Unfreeze an account',
  description: 'Admin.',
  tags: accounts,
  params: accountParams,
  body: emptyBody,
  status: 200,
  result: 'AccountCommandResult',
});

export const closeSchema = command({
  operationId: 'closeAccount',
  problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_CLOSED', 'OPEN_HOLDS', 'ACCOUNT_NOT_EMPTY'],
  summary: 'Close an account',
  description: 'Owner, admin. Only at zero balance with no open holds (else 422).',
  tags: accounts,
  params: accountParams,
  body: emptyBody,
  status: 200,
  result: 'AccountCommandResult',
});

export const overdraftLimitSchema = command({
  operationId: 'changeOverdraftLimit',
  problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_CLOSED'],
  summary: 'Change the overdraft limit',
  description: 'Admin.',
  tags: accounts,
  params: accountParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['overdraftLimit'],
    properties: { overdraftLimit: { $ref: 'Amount#' } },
  },
  status: 200,
  result: 'AccountCommandResult',
});

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
const transferBody = {
  type: 'object',
  additionalProperties: false,
  required: ['fromAccountId', 'toAccountId', 'amount'],
  properties: {
    fromAccountId: { $ref: 'Uuid#' },
    toAccountId: { $ref: 'Uuid#' },
    amount: { $ref: 'Amount#' },
    reference: { type: 'string', maxLength: 140, pattern: WELL_FORMED },
  },
} as const;

export const requestTransferSchema = command({
  operationId: 'requestTransfer',
  problems: TRANSFER_PROBLEMS,
  summary: 'Transfer money',
  description:
    'Owner of the source account, teller, admin. 422 (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN, ...) ' +
    'when the source plainly cannot pay, with nothing recorded. Otherwise 201 with the final ' +
    'status, also when it ended failed: the destination refused the credit (the source was ' +
    'refunded), or a concurrent debit took the money first (none moved). See failureReason; ' +
    'GET /v1/transfers/{id} shows the timeline. With "dryRun": true, 200 with what would ' +
    'happen and nothing recorded.',
  tags: transfers,
  status: 201,
  result: 'TransferResult',
  dryRunResult: 'TransferDryRun',
  body: {
    ...transferBody,
    properties: { ...transferBody.properties, ...dryRunField },
  },
});

export const reverseTransferSchema = command({
  operationId: 'reverseTransfer',
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
    'Tellers and admins. A new transfer moving `amount` (absent: all that is left to reverse) ' +
    'back from the original destination to its source, linked to the original (its ' +
    '`reversalOf`; the original shows `reversedAmount`). Reversals together never move back ' +
    'more than the original moved: 422 REVERSAL_EXCEEDS_ORIGINAL. Only a completed transfer ' +
    'can be reversed (422 TRANSFER_NOT_REVERSIBLE). 422 with the reason when the destination ' +
    'cannot pay it back or the source cannot take it (frozen, closed): a reversal moves the ' +
    'money or nothing. On an event store without the atomic multi-stream append, 422 ' +
    'MULTI_STREAM_APPEND_UNSUPPORTED.',
  tags: transfers,
  params: accountParams,
  status: 201,
  result: 'TransferResult',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      amount: { $ref: 'Amount#' },
      reference: { type: 'string', maxLength: 140, pattern: WELL_FORMED },
    },
    description: 'All fields optional; the body may be omitted.',
  },
});

/**
 * The body limit of POST /v1/transfer-batches: 1,000 legs whose references are 140 characters
 * written as JSON escapes of astral characters (12 bytes each) come to about 1.9 MB.
 */
export const TRANSFER_BATCH_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

export const requestTransferBatchSchema = command({
  operationId: 'requestTransferBatch',
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
    'Customers send only from their own accounts; tellers and admins from any. Each leg is a ' +
    'transfer (GET /v1/transfers/{id}, with its batchId). On an event store without the atomic ' +
    'multi-stream append, an atomic batch is refused with 422 MULTI_STREAM_APPEND_UNSUPPORTED.',
  tags: transfers,
  status: 201,
  result: 'TransferBatchResult',
  dryRunResult: 'TransferBatchDryRun',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['mode', 'transfers'],
    properties: {
      ...dryRunField,
      mode: { type: 'string', enum: ['atomic', 'independent'] },
      transfers: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_BATCH_LEGS,
        items: transferBody,
      },
    },
  },
});

export const getTransferBatchSchema = query({
  operationId: 'getTransferBatch',
  problems: ['NOT_FOUND'],
  summary: 'Get a transfer batch',
  description:
    'The batch and each leg (its transfer id and status), in order. A customer sees a batch ' +
    'when they own a party of one of its legs; tellers and admins see every batch.',
  tags: transfers,
  params: accountParams,
  result: 'TransferBatch',
});

export const getTransferSchema = query({
  operationId: 'getTransfer',
  problems: ['NOT_FOUND'],
  summary: 'Get a transfer',
  description: 'Status and timeline. Owner of either account, teller, admin.',
  tags: transfers,
  params: accountParams,
  result: 'Transfer',
});

const HOLD_STATUSES = 'open|captured|released|expired';

const ENTRY_TYPES = 'deposit|withdrawal|hold_capture|transfer_in|transfer_out|transfer_refund';

export const listTransactionsSchema = query({
  operationId: 'listTransactions',
  problems: ['NOT_FOUND'],
  summary: 'List ledger entries',
  description: 'Newest first, keyset-paginated. Owner, teller, admin.',
  tags: accounts,
  params: accountParams,
  result: 'TransactionPage',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: {
        type: 'string',
        pattern: LIMIT_PATTERN,
        description: '1..200, default 50.',
      },
      cursor: {
        type: 'string',
        minLength: 1,
        maxLength: 512,
        description: 'nextCursor of the previous page.',
      },
      from: { type: 'string', format: 'date-time', description: 'Inclusive.' },
      to: { type: 'string', format: 'date-time', description: 'Exclusive.' },
      type: {
        type: 'string',
        pattern: `^(${ENTRY_TYPES})(,(${ENTRY_TYPES}))*$`,
        description: 'Comma list of entry types.',
      },
    },
  },
});

export const listHoldsSchema = query({
  operationId: 'listHolds',
  problems: ['NOT_FOUND'],
  summary: "List an account's holds",
  description:
    'Open and settled holds, newest first, keyset-paginated like the transactions. Owner, ' +
    'teller, admin.',
  tags: holds,
  params: accountParams,
  result: 'HoldPage',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'string', pattern: LIMIT_PATTERN, description: '1..200, default 50.' },
      cursor: {
        type: 'string',
        minLength: 1,
        maxLength: 512,
        description: 'nextCursor of the previous page.',
      },
      status: {
        type: 'string',
        pattern: `^(${HOLD_STATUSES})(,(${HOLD_STATUSES}))*$`,
        description: `Comma list of statuses: ${HOLD_STATUSES.split('|').join(', ')}.`,
      },
    },
  },
});

export const getHoldSchema = query({
  operationId: 'getHold',
  problems: ['NOT_FOUND'],
  summary: 'Get a hold',
  description: 'Its amount, what was captured and released, and its status. Owner, teller, admin.',
  tags: holds,
  params: holdParams,
  result: 'Hold',
});

export const statementSchema = query({
  operationId: 'getStatement',
  problems: ['NOT_FOUND'],
  summary: 'Get a statement',
  description:
    'Opening and closing balance, totals and entries of a period of UTC days. Owner, teller, admin.',
  tags: accounts,
  params: accountParams,
  result: 'Statement',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { type: 'string', format: 'date', description: 'YYYY-MM-DD, inclusive.' },
      to: { type: 'string', format: 'date', description: 'YYYY-MM-DD, inclusive.' },
    },
  },
});
