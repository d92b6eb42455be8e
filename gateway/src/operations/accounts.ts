import { Type, type TObject } from '@sinclair/typebox';
import { isStaff, type CommandRpc } from '@bank/platform';
import { accountTag, ownerTag } from '../cache/response-cache.js';
import { HttpProblem } from '../http/problem.js';
import { principalOf } from '../plugins/auth.js';
import {
  accountCommandJson,
  accountJson,
  statementJson,
  transactionPageJson,
} from '../upstream/mapping.js';
import type { ProblemCode } from '../http/problem-codes.js';
import type { commandTypes } from '@bank/proto';
import type { CallContext, CommandApi } from '../upstream/clients.js';
import {
  accountParams,
  command,
  defineCommand,
  emptyBody,
  pageParams,
  query,
  WELL_FORMED,
  object,
  oneOf,
  ref,
  type Described,
  type Input,
  type Operation,
} from './operation.js';

const tags = ['accounts'];

export const openAccount = command({
  operationId: 'openAccount',
  path: '/v1/accounts',
  rpc: 'OpenAccount',
  problems: [],
  summary: 'Open an account',
  description:
    'Customers open accounts for themselves (ownerId absent or their own id) and without an ' +
    'overdraft (a non-zero overdraftLimit is a 403); tellers and admins for any owner (ownerId, ' +
    'else themselves), with any overdraft limit.',
  tags,
  status: 201,
  result: 'AccountCommandResult',
  body: object({
    currency: ref('Currency'),
    type: Type.Optional(oneOf(['checking', 'savings'], 'checking (default) or savings.')),
    overdraftLimit: Type.Optional(ref('Amount')),
    ownerId: Type.Optional(ref('OwnerId')),
  }),
  check(request) {
    const principal = principalOf(request.http);
    const { overdraftLimit, ownerId } = request.body;
    if (!isStaff(principal) && ownerId !== undefined && ownerId !== principal.id) {
      throw new HttpProblem(403, 'FORBIDDEN', 'customers open accounts for themselves only', {
        field: 'ownerId',
      });
    }
    // Credit is the bank's decision: a customer opens without an overdraft (changing it later
    // is for admins, POST /v1/accounts/{id}/overdraft-limit).
    if (
      !isStaff(principal) &&
      overdraftLimit !== undefined &&
      !/^0+(\.0+)?$/.test(overdraftLimit)
    ) {
      throw new HttpProblem(403, 'FORBIDDEN', 'customers open accounts without an overdraft', {
        field: 'overdraftLimit',
      });
    }
  },
  async send(request, commands, context, call) {
    const { currency, type, overdraftLimit, ownerId } = request.body;
    const owner = ownerId ?? principalOf(request.http).id;
    const result = await commands.OpenAccount(
      { context, ownerId: owner, currency, type: type ?? '', overdraftLimit: overdraftLimit ?? '' },
      call,
    );
    const body = accountCommandJson(result);
    return {
      body,
      replayed: result.replayed,
      invalidates: [accountTag(body.account.id), ownerTag(owner)],
    };
  },
});

export const listAccounts = query({
  operationId: 'listAccounts',
  path: '/v1/accounts',
  problems: [],
  summary: 'List accounts',
  description: 'Customers see their own accounts; tellers and admins pass ?ownerId=.',
  tags,
  result: 'AccountList',
  querystring: object({ ownerId: Type.Optional(ref('OwnerId')) }),
  check(request) {
    const principal = principalOf(request.http);
    const ownerId = request.query.ownerId;
    if (ownerId === undefined && isStaff(principal)) {
      throw new HttpProblem(
        400,
        'VALIDATION_FAILED',
        'ownerId is required for tellers and admins',
        {
          field: 'ownerId',
        },
      );
    }
    if (!isStaff(principal) && ownerId !== undefined && ownerId !== principal.id)
      throw new HttpProblem(404, 'NOT_FOUND', 'resource not found');
  },
  async load(request, queries, options, call) {
    const ownerId = request.query.ownerId ?? principalOf(request.http).id;
    const result = await queries.ListAccounts({ options, ownerId }, call);
    const accounts = result.accounts.map(accountJson);
    return {
      body: { accounts },
      tags: [ownerTag(ownerId), ...accounts.map((a) => accountTag(a.id))],
    };
  },
});

export const getAccount = query({
  operationId: 'getAccount',
  path: '/v1/accounts/:id',
  problems: ['NOT_FOUND'],
  summary: 'Get an account',
  description: 'Balance, available, held, status and revision.',
  tags,
  params: accountParams,
  result: 'Account',
  async load(request, queries, options, call) {
    const account = await queries.GetAccount({ options, accountId: request.params.id }, call);
    return { body: accountJson(account), tags: [accountTag(request.params.id)] };
  },
});

const ENTRY_TYPES = 'deposit|withdrawal|hold_capture|transfer_in|transfer_out|transfer_refund';

export const listTransactions = query({
  operationId: 'listTransactions',
  path: '/v1/accounts/:id/transactions',
  problems: ['NOT_FOUND'],
  summary: 'List ledger entries',
  description: 'Newest first, keyset-paginated.',
  tags,
  params: accountParams,
  result: 'TransactionPage',
  querystring: object({
    ...pageParams,
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive.' })),
    type: Type.Optional(
      Type.String({
        pattern: `^(${ENTRY_TYPES})(,(${ENTRY_TYPES}))*$`,
        description: 'Comma list of entry types.',
      }),
    ),
  }),
  async load(request, queries, options, call) {
    const { limit, cursor, from, to, type } = request.query;
    const page = await queries.ListTransactions(
      {
        options,
        accountId: request.params.id,
        limit: limit === undefined ? 50 : Number(limit),
        cursor: cursor ?? '',
        from: from ?? '',
        to: to ?? '',
        types: type ? type.split(',') : [],
      },
      call,
    );
    return { body: transactionPageJson(page), tags: [accountTag(request.params.id)] };
  },
});

export const getStatement = query({
  operationId: 'getStatement',
  path: '/v1/accounts/:id/statement',
  problems: ['NOT_FOUND'],
  summary: 'Get a statement',
  description: 'Opening and closing balance, totals and entries of a period of UTC days.',
  tags,
  params: accountParams,
  result: 'Statement',
  querystring: object({
    from: Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive.' }),
    to: Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive.' }),
  }),
  check(request) {
    if (request.query.from > request.query.to)
      throw new HttpProblem(400, 'VALIDATION_FAILED', 'from must not be after to', {
        field: 'from',
      });
  },
  async load(request, queries, options, call) {
    const { from, to } = request.query;
    const statement = await queries.GetStatement(
      { options, accountId: request.params.id, from, to },
      call,
    );
    return { body: statementJson(statement), tags: [accountTag(request.params.id)] };
  },
});

const moneyBody = object({ amount: ref('Amount') });

/** What a command that takes money from an account's available balance can be refused with. */
export const DEBIT_PROBLEMS: readonly ProblemCode[] = [
  'NOT_FOUND',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_FROZEN',
  'ACCOUNT_CLOSED',
  'INSUFFICIENT_FUNDS',
];

/**
 * A command on one account (its id in the path) answered with the account: the body given,
 * the reply mapped by accountCommandJson, the account's cached reads dropped.
 */
export function onAccount<B extends TObject, P extends TObject>(
  op: Described & { readonly rpc: CommandRpc; readonly params: P; readonly body: B },
  send: (
    commands: CommandApi,
    params: Input<P>,
    body: Input<B>,
    context: commandTypes.CommandContext,
    call: CallContext,
  ) => Promise<commandTypes.AccountReply__Output>,
): Operation {
  // Erased like every command (see `command`): the route validates P and B before `send` runs.
  return defineCommand({
    ...op,
    status: 200,
    result: 'AccountCommandResult',
    async send(request, commands, context, call) {
      const result = await send(
        commands,
        request.params as Input<P>,
        request.body as Input<B>,
        context,
        call,
      );
      // Every such route has the account id in its path (accountParams or holdParams).
      const { id } = request.params as unknown as { id: string };
      return {
        body: accountCommandJson(result),
        replayed: result.replayed,
        invalidates: [accountTag(id)],
      };
    },
  });
}

export const deposit = onAccount(
  {
    operationId: 'deposit',
    path: '/v1/accounts/:id/deposits',
    rpc: 'Deposit',
    problems: [
      'NOT_FOUND',
      'ACCOUNT_NOT_FOUND',
      'ACCOUNT_FROZEN',
      'ACCOUNT_CLOSED',
      'BALANCE_LIMIT_EXCEEDED',
    ],
    summary: 'Deposit',
    description: '422 BALANCE_LIMIT_EXCEEDED when the balance would pass 10^18 minor units.',
    tags,
    params: accountParams,
    body: moneyBody,
  },
  (commands, { id: accountId }, body, context, call) =>
    commands.Deposit({ context, accountId, amount: body.amount }, call),
);

export const withdraw = onAccount(
  {
    operationId: 'withdraw',
    path: '/v1/accounts/:id/withdrawals',
    rpc: 'Withdraw',
    problems: DEBIT_PROBLEMS,
    summary: 'Withdraw',
    description: '422 INSUFFICIENT_FUNDS when available would go below zero.',
    tags,
    params: accountParams,
    body: moneyBody,
  },
  (commands, { id: accountId }, body, context, call) =>
    commands.Withdraw({ context, accountId, amount: body.amount }, call),
);

export const freezeAccount = onAccount(
  {
    operationId: 'freezeAccount',
    path: '/v1/accounts/:id/freeze',
    rpc: 'FreezeAccount',
    problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED'],
    summary: 'Freeze an account',
    description: '',
    tags,
    params: accountParams,
    body: object({
      reason: Type.Optional(Type.String({ maxLength: 500, pattern: WELL_FORMED })),
    }),
  },
  (commands, { id: accountId }, body, context, call) =>
    commands.FreezeAccount({ context, accountId, reason: body.reason ?? '' }, call),
);

export const unfreezeAccount = onAccount(
  {
    operationId: 'unfreezeAccount',
    path: '/v1/accounts/:id/unfreeze',
    rpc: 'UnfreezeAccount',
    problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FROZEN', 'ACCOUNT_CLOSED'],
    summary: 'Unfreeze an account',
    description: '',
    tags,
    params: accountParams,
    body: emptyBody,
  },
  (commands, { id: accountId }, _body, context, call) =>
    commands.UnfreezeAccount({ context, accountId }, call),
);

export const closeAccount = onAccount(
  {
    operationId: 'closeAccount',
    path: '/v1/accounts/:id/close',
    rpc: 'CloseAccount',
    problems: [
      'NOT_FOUND',
      'ACCOUNT_NOT_FOUND',
      'ACCOUNT_CLOSED',
      'OPEN_HOLDS',
      'ACCOUNT_NOT_EMPTY',
    ],
    summary: 'Close an account',
    description: 'Only at zero balance with no open holds (else 422).',
    tags,
    params: accountParams,
    body: emptyBody,
  },
  (commands, { id: accountId }, _body, context, call) =>
    commands.CloseAccount({ context, accountId }, call),
);

export const changeOverdraftLimit = onAccount(
  {
    operationId: 'changeOverdraftLimit',
    path: '/v1/accounts/:id/overdraft-limit',
    rpc: 'ChangeOverdraftLimit',
    problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_CLOSED'],
    summary: 'Change the overdraft limit',
    description: '',
    tags,
    params: accountParams,
    body: object({ overdraftLimit: ref('Amount') }),
  },
  (commands, { id: accountId }, body, context, call) =>
    commands.ChangeOverdraftLimit(
      { context, accountId, overdraftLimit: body.overdraftLimit },
      call,
    ),
);
