import {
  CURRENCY_EXPONENTS,
  formatAmount,
  MAX_AMOUNT_MINOR,
  type Currency as CurrencyCode,
} from '@bank/domain';
import { HOLD_STATUSES, LEDGER_ENTRY_TYPES } from '@bank/read-models/tables';

/**
 * Shared JSON schemas, registered with `addSchema` and referenced as `{ $ref: '<Name>#' }`.
 * They drive validation, serialization and the OpenAPI document alike. Money is always a
 * decimal string: a JSON number where an amount belongs is a 400, never converted.
 */

const CURRENCIES = Object.keys(CURRENCY_EXPONENTS);

/** A positive amount as sent: digits, at most one point, no sign, exponent or spaces. */
export const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,3})?$';

/** A page size as sent in the query string: 1..200. */
export const LIMIT_PATTERN = '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$';

export const Uuid = {
  $id: 'Uuid',
  type: 'string',
  format: 'uuid',
  description: 'A UUID.',
  examples: ['0b6f9a52-8d1e-4f7e-a0c4-5a8b2e9d3c11'],
} as const;

/**
 * The per-request cap the command service enforces (MAX_AMOUNT_MINOR), written out in each
 * exponent's decimals: "10000000000000.00 in USD, EUR, …; 1000000000000000 in JPY, …".
 */
function amountCapText(): string {
  const byExponent = new Map<number, CurrencyCode[]>();
  for (const [currency, exponent] of Object.entries(CURRENCY_EXPONENTS) as [
    CurrencyCode,
    number,
  ][]) {
    byExponent.set(exponent, [...(byExponent.get(exponent) ?? []), currency]);
  }
  const caps = [...byExponent.values()].map(
    (currencies) =>
      `${formatAmount(MAX_AMOUNT_MINOR, currencies[0] as CurrencyCode)} in ${currencies.join(', ')}`,
  );
  const power = MAX_AMOUNT_MINOR.toString().length - 1;
  return `At most 10^${power} minor units per request: ${caps.join('; ')}. More is a 400.`;
}

export const Amount = {
  $id: 'Amount',
  type: 'string',
  pattern: AMOUNT_PATTERN,
  maxLength: 22,
  description:
    'A decimal string in the currency of the account ("12.34"; "1000" for JPY). Never a JSON number. ' +
    `More decimals than the currency has is a 400. ${amountCapText()}`,
  examples: ['12.34'],
} as const;

/** Amounts in answers may be negative (a balance in overdraft, a debit in the ledger). */
export const SignedAmount = {
  $id: 'SignedAmount',
  type: 'string',
  description: 'A decimal string, negative when money leaves or the balance is in overdraft.',
  examples: ['-5.00'],
} as const;

export const Currency = {
  $id: 'Currency',
  type: 'string',
  enum: CURRENCIES,
  description: 'ISO 4217 code; its exponent fixes the decimals of every amount.',
} as const;

export const OwnerId = {
  $id: 'OwnerId',
  type: 'string',
  pattern: '^[A-Za-z0-9._:@|-]{1,128}$',
  description: "A customer id: the `sub` of the customer's token.",
} as const;

export const Position = {
  $id: 'Position',
  type: 'string',
  pattern: '^[0-9]{1,19}$',
  description:
    'Global position of the last event the command appended: send it as X-Consistency-Token on a ' +
    'GET to read your own write.',
  examples: ['1042'],
} as const;

export const Problem = {
  $id: 'Problem',
  type: 'object',
  description:
    'RFC 9457 problem details (application/problem+json). Switch on `code`, not on `detail`.',
  required: ['type', 'title', 'status', 'code'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: {
      type: 'string',
      description:
        'Stable code: VALIDATION_FAILED, UNAUTHENTICATED, TOKEN_ISSUED_IN_FUTURE, ' +
        'TOKEN_LIFETIME_TOO_LONG, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, ' +
        'CONCURRENCY_CONFLICT, IDEMPOTENCY_IN_FLIGHT, IDEMPOTENCY_KEY_REUSED, PAYLOAD_TOO_LARGE, ' +
        'UNSUPPORTED_MEDIA_TYPE, URI_TOO_LONG, HEADERS_TOO_LARGE, REQUEST_TIMEOUT, RATE_LIMITED, ' +
        'business codes (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN, ACCOUNT_CLOSED, CURRENCY_MISMATCH, ' +
        'BALANCE_LIMIT_EXCEEDED, ...), CONSISTENCY_TOKEN_BEYOND_HEAD, UNAVAILABLE, CONSISTENCY_TIMEOUT, ' +
        'DEADLINE_EXCEEDED, INTERNAL.',
    },
    detail: { type: 'string' },
    instance: { type: 'string' },
    field: { type: 'string', description: 'The request field at fault, for validation problems.' },
  },
} as const;

export const Account = {
  $id: 'Account',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'ownerId',
    'currency',
    'type',
    'status',
    'balance',
    'available',
    'held',
    'overdraftLimit',
    'revision',
  ],
  properties: {
    id: { $ref: 'Uuid#' },
    ownerId: { type: 'string' },
    currency: { type: 'string' },
    type: { type: 'string', enum: ['checking', 'savings'] },
    status: { type: 'string', enum: ['open', 'frozen', 'closed'] },
    balance: { $ref: 'SignedAmount#' },
    available: { $ref: 'SignedAmount#', description: 'balance − open holds + overdraft limit' },
    held: { $ref: 'SignedAmount#' },
    overdraftLimit: { $ref: 'SignedAmount#' },
    revision: {
      type: 'string',
      description: 'Stream revision of the account (a 64-bit counter as a string).',
    },
    openedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const AccountList = {
  $id: 'AccountList',
  type: 'object',
  additionalProperties: false,
  required: ['accounts'],
  properties: { accounts: { type: 'array', items: { $ref: 'Account#' } } },
} as const;

export const AccountCommandResult = {
  $id: 'AccountCommandResult',
  type: 'object',
  additionalProperties: false,
  required: ['account', 'position'],
  properties: { account: { $ref: 'Account#' }, position: { $ref: 'Position#' } },
} as const;

export const HoldResult = {
  $id: 'HoldResult',
  type: 'object',
  additionalProperties: false,
  required: ['holdId', 'account', 'position'],
  properties: {
    holdId: { $ref: 'Uuid#' },
    account: { $ref: 'Account#' },
    position: { $ref: 'Position#' },
  },
} as const;

export const HoldCaptureResult = {
  $id: 'HoldCaptureResult',
  type: 'object',
  additionalProperties: false,
  // On the object: the document drops a description written beside a $ref.
  description:
    'The account after the capture, and `released`: what the capture gave back to the ' +
    'available balance, the rest of the hold after a partial capture ("0.00", in the decimals ' +
    'of the currency, when all of it was captured).',
  required: [...AccountCommandResult.required, 'released'],
  properties: { ...AccountCommandResult.properties, released: { $ref: 'Amount#' } },
} as const;

const transferResultProperties = {
  id: { $ref: 'Uuid#' },
  failureReason: { type: 'string' },
  amount: { $ref: 'SignedAmount#' },
  currency: { type: 'string' },
  reversalOf: {
    $ref: 'Uuid#',
    description: 'On a reversal: the transfer it moves money back for.',
  },
} as const;

/** What a dry run answers beside the body a real request would: nothing was recorded. */
const dryRunFlag = {
  dryRun: {
    type: 'boolean',
    const: true,
    description: 'Nothing was recorded: the statuses say what would happen (prefixed `would_`).',
  },
} as const;

export const TransferResult = {
  $id: 'TransferResult',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', 'amount', 'currency', 'position'],
  properties: {
    ...transferResultProperties,
    status: {
      type: 'string',
      enum: ['completed', 'failed'],
      description:
        '"completed", or "failed" (the source was refunded; see failureReason). Both are 201.',
    },
    position: { $ref: 'Position#' },
  },
} as const;

export const TransferDryRun = {
  $id: 'TransferDryRun',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', 'amount', 'currency', 'dryRun'],
  properties: {
    ...transferResultProperties,
    status: {
      type: 'string',
      enum: ['would_completed', 'would_failed'],
      description: 'What the transfer would end as (see failureReason).',
    },
    ...dryRunFlag,
  },
} as const;

/** A batch and its legs, as a POST answers it and a GET shows it. */
const transferBatchProperties = {
  id: { $ref: 'Uuid#' },
  mode: { type: 'string', enum: ['atomic', 'independent'] },
  status: {
    type: 'string',
    description:
      '"completed": every leg applied; "partial": some legs failed (independent mode); ' +
      '"failed": every leg failed (independent mode).',
  },
  transfers: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['index', 'id', 'status'],
      properties: {
        index: { type: 'integer', minimum: 0 },
        id: { $ref: 'Uuid#', description: "The leg's transfer: GET /v1/transfers/{id}." },
        status: { type: 'string', description: '"completed" or "failed".' },
        code: { type: 'string', description: 'Why the leg failed (e.g. INSUFFICIENT_FUNDS).' },
      },
    },
  },
} as const;

export const TransferBatchResult = {
  $id: 'TransferBatchResult',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'mode', 'status', 'transfers', 'position'],
  properties: { ...transferBatchProperties, position: { $ref: 'Position#' } },
} as const;

export const TransferBatchDryRun = {
  $id: 'TransferBatchDryRun',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'mode', 'status', 'transfers', 'dryRun'],
  properties: { ...transferBatchProperties, ...dryRunFlag },
} as const;

export const TransferBatch = {
  $id: 'TransferBatch',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'mode', 'status', 'transfers'],
  properties: transferBatchProperties,
} as const;

export const Transfer = {
  $id: 'Transfer',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'fromAccountId', 'toAccountId', 'amount', 'currency', 'status', 'history'],
  properties: {
    id: { $ref: 'Uuid#' },
    fromAccountId: { $ref: 'Uuid#' },
    toAccountId: { $ref: 'Uuid#' },
    amount: { $ref: 'SignedAmount#' },
    currency: { type: 'string' },
    reference: { type: 'string' },
    status: { type: 'string' },
    failureReason: { type: 'string' },
    batchId: {
      $ref: 'Uuid#',
      description: 'The transfer batch this transfer is a leg of (POST /v1/transfer-batches).',
    },
    reversalOf: {
      $ref: 'Uuid#',
      description: 'On a reversal: the transfer it moves money back for.',
    },
    reversedAmount: {
      $ref: 'SignedAmount#',
      description: 'How much of this transfer reversals have moved back ("0.00" when none).',
    },
    history: {
      type: 'array',
      description: 'The timeline: every status the transfer went through.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['status', 'at'],
        properties: {
          status: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          reason: { type: 'string' },
        },
      },
    },
    requestedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const LedgerEntry = {
  $id: 'LedgerEntry',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'accountId',
    'type',
    'amount',
    'balanceAfter',
    'currency',
    'occurredAt',
    'position',
  ],
  properties: {
    id: { type: 'string' },
    accountId: { $ref: 'Uuid#' },
    type: { type: 'string', enum: [...LEDGER_ENTRY_TYPES] },
    amount: { $ref: 'SignedAmount#', description: 'Negative for money leaving the account.' },
    balanceAfter: { $ref: 'SignedAmount#' },
    currency: { type: 'string' },
    counterpartyAccountId: { $ref: 'Uuid#' },
    transferId: { $ref: 'Uuid#' },
    holdId: { $ref: 'Uuid#' },
    occurredAt: { type: 'string', format: 'date-time' },
    position: { $ref: 'Position#' },
  },
} as const;

/** A keyset page of `items` (a schema id), with the cursor of the next one. */
function page<Id extends string, Field extends string>(id: Id, field: Field, items: string) {
  return {
    $id: id,
    type: 'object',
    additionalProperties: false,
    required: [field, 'nextCursor'],
    properties: {
      [field]: { type: 'array', items: { $ref: `${items}#` } },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
  } as const;
}

export const TransactionPage = page('TransactionPage', 'entries', 'LedgerEntry');

export const Hold = {
  $id: 'Hold',
  type: 'object',
  additionalProperties: false,
  description:
    'A hold reserves `amount` of the available balance until it is captured, released or ' +
    'expires. A capture of part of a hold takes that part and releases the rest at once (the ' +
    'hold is then `captured`, with `captured` + `released` = `amount`); a released or expired ' +
    'hold releases all of it.',
  required: [
    'id',
    'accountId',
    'currency',
    'amount',
    'captured',
    'released',
    'status',
    'placedAt',
    'updatedAt',
  ],
  properties: {
    id: { $ref: 'Uuid#' },
    accountId: { $ref: 'Uuid#' },
    currency: { type: 'string' },
    amount: { $ref: 'Amount#', description: 'What the hold reserved when placed.' },
    captured: { $ref: 'Amount#', description: 'What a capture took (0 unless captured).' },
    released: {
      $ref: 'Amount#',
      description:
        'What went back to the available balance: the rest of a partial capture, all of a ' +
        'released or expired hold, 0 while open.',
    },
    status: { type: 'string', enum: [...HOLD_STATUSES] },
    expiresAt: { type: 'string', format: 'date-time', description: 'Absent: never expires.' },
    placedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const HoldPage = page('HoldPage', 'holds', 'Hold');

export const Statement = {
  $id: 'Statement',
  type: 'object',
  additionalProperties: false,
  required: [
    'accountId',
    'currency',
    'from',
    'to',
    'openingBalance',
    'closingBalance',
    'totalIn',
    'totalOut',
    'entries',
  ],
  properties: {
    accountId: { $ref: 'Uuid#' },
    currency: { type: 'string' },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    openingBalance: { $ref: 'SignedAmount#' },
    closingBalance: { $ref: 'SignedAmount#' },
    totalIn: { $ref: 'SignedAmount#' },
    totalOut: { $ref: 'SignedAmount#' },
    entries: { type: 'array', items: { $ref: 'LedgerEntry#' } },
  },
} as const;

export const SHARED_SCHEMAS = [
  Uuid,
  Amount,
  SignedAmount,
  Currency,
  OwnerId,
  Position,
  Problem,
  Account,
  AccountList,
  AccountCommandResult,
  HoldResult,
  HoldCaptureResult,
  TransferResult,
  TransferDryRun,
  TransferBatchResult,
  TransferBatchDryRun,
  TransferBatch,
  Transfer,
  LedgerEntry,
  TransactionPage,
  Hold,
  HoldPage,
  Statement,
] as const;
