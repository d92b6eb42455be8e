import type { FastifyInstance } from 'fastify';
import { isStaff, type Role } from '@bank/platform';
import { accountTag, ownerTag } from '../cache/response-cache.js';
import { cachedRead } from '../http/cached-read.js';
import { HttpProblem } from '../http/problem.js';
import { emptyBodyIsObject } from '../http/empty-body.js';
import { runCommand } from '../http/run-command.js';
import { principalOf } from '../plugins/auth.js';
import {
  captureHoldSchema,
  closeSchema,
  depositSchema,
  freezeSchema,
  getAccountSchema,
  getHoldSchema,
  listAccountsSchema,
  listHoldsSchema,
  listTransactionsSchema,
  openAccountSchema,
  overdraftLimitSchema,
  placeHoldSchema,
  releaseHoldSchema,
  statementSchema,
  unfreezeSchema,
  withdrawSchema,
} from '../schemas/routes.js';
import {
  accountCommandJson,
  accountJson,
  holdCaptureJson,
  holdJson,
  holdPageJson,
  holdViewJson,
  statementJson,
  transactionPageJson,
} from '../upstream/mapping.js';

const EVERYONE: readonly Role[] = ['customer', 'teller', 'admin'];
const STAFF: readonly Role[] = ['teller', 'admin'];
const ADMIN: readonly Role[] = ['admin'];
const OWNER_OR_ADMIN: readonly Role[] = ['customer', 'admin'];

type AccountParams = { id: string };
type HoldParams = { id: string; holdId: string };

/** Accounts: open, list, read, money movements, holds, status changes, ledger, statements. */
export default function accountRoutes(app: FastifyInstance): void {
  const { commands, queries } = app.upstreams;

  app.post<{
    Body: { currency: string; type?: string; overdraftLimit?: string; ownerId?: string };
  }>(
    '/v1/accounts',
    { schema: openAccountSchema, config: { roles: EVERYONE } },
    (request, reply) => {
      const principal = principalOf(request);
      const { currency, type, overdraftLimit, ownerId } = request.body;
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
      const owner = ownerId ?? principal.id;
      return runCommand(request, reply, 201, async (context, call) => {
        const result = await commands.OpenAccount(
          {
            context,
            ownerId: owner,
            currency,
            type: type ?? '',
            overdraftLimit: overdraftLimit ?? '',
          },
          call,
        );
        const body = accountCommandJson(result);
        return { body, invalidates: [accountTag(body.account.id), ownerTag(owner)] };
      });
    },
  );

  app.get<{ Querystring: { ownerId?: string } }>(
    '/v1/accounts',
    { schema: listAccountsSchema, config: { roles: EVERYONE } },
    (request, reply) => {
      const principal = principalOf(request);
      const staff = isStaff(principal);
      const ownerId = request.query.ownerId ?? (staff ? undefined : principal.id);
      if (ownerId === undefined) {
        throw new HttpProblem(
          400,
          'VALIDATION_FAILED',
          'ownerId is required for tellers and admins',
          {
            field: 'ownerId',
          },
        );
      }
      if (!staff && ownerId !== principal.id)
        throw new HttpProblem(404, 'NOT_FOUND', 'resource not found');
      return cachedRead(request, reply, async (options, call) => {
        const result = await queries.ListAccounts({ options, ownerId }, call);
        const accounts = result.accounts.map(accountJson);
        return {
          body: { accounts },
          tags: [ownerTag(ownerId), ...accounts.map((a) => accountTag(a.id))],
        };
      });
    },
  );

  app.get<{ Params: AccountParams }>(
    '/v1/accounts/:id',
    { schema: getAccountSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
        const account = await queries.GetAccount({ options, accountId: request.params.id }, call);
        return { body: accountJson(account), tags: [accountTag(request.params.id)] };
      }),
  );

  app.get<{
    Params: AccountParams;
    Querystring: { limit?: string; cursor?: string; from?: string; to?: string; type?: string };
  }>(
    '/v1/accounts/:id/transactions',
    { schema: listTransactionsSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
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
      }),
  );

  app.get<{
    Params: AccountParams;
    Querystring: { limit?: string; cursor?: string; status?: string };
  }>(
    '/v1/accounts/:id/holds',
    { schema: listHoldsSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
        const { limit, cursor, status } = request.query;
        const page = await queries.ListHolds(
          {
            options,
            accountId: request.params.id,
            limit: limit === undefined ? 50 : Number(limit),
            cursor: cursor ?? '',
            statuses: status ? status.split(',') : [],
          },
          call,
        );
        return { body: holdPageJson(page), tags: [accountTag(request.params.id)] };
      }),
  );

  app.get<{ Params: HoldParams }>(
    '/v1/accounts/:id/holds/:holdId',
    { schema: getHoldSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      cachedRead(request, reply, async (options, call) => {
        const hold = await queries.GetHold(
          { options, accountId: request.params.id, holdId: request.params.holdId },
          call,
        );
        return { body: holdViewJson(hold), tags: [accountTag(request.params.id)] };
      }),
  );

  app.get<{ Params: AccountParams; Querystring: { from: string; to: string } }>(
    '/v1/accounts/:id/statement',
    { schema: statementSchema, config: { roles: EVERYONE } },
    (request, reply) => {
      const { from, to } = request.query;
      if (from > to)
        throw new HttpProblem(400, 'VALIDATION_FAILED', 'from must not be after to', {
          field: 'from',
        });
      return cachedRead(request, reply, async (options, call) => {
        const statement = await queries.GetStatement(
          { options, accountId: request.params.id, from, to },
          call,
        );
        return { body: statementJson(statement), tags: [accountTag(request.params.id)] };
      });
    },
  );

  app.post<{ Params: AccountParams; Body: { amount: string } }>(
    '/v1/accounts/:id/deposits',
    { schema: depositSchema, config: { roles: STAFF } },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.Deposit(
          { context, accountId, amount: request.body.amount },
          call,
        );
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams; Body: { amount: string } }>(
    '/v1/accounts/:id/withdrawals',
    { schema: withdrawSchema, config: { roles: EVERYONE } },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.Withdraw(
          { context, accountId, amount: request.body.amount },
          call,
        );
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams; Body: { amount: string; expiresAt?: string } }>(
    '/v1/accounts/:id/holds',
    { schema: placeHoldSchema, config: { roles: STAFF } },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const { amount, expiresAt } = request.body;
        const result = await commands.PlaceHold(
          { context, accountId, amount, expiresAt: expiresAt ?? '', holdId: '' },
          call,
        );
        return { body: holdJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: HoldParams; Body: { amount?: string } }>(
    '/v1/accounts/:id/holds/:holdId/capture',
    { schema: captureHoldSchema, config: { roles: STAFF }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const { id: accountId, holdId } = request.params;
        const result = await commands.CaptureHold(
          { context, accountId, holdId, amount: request.body.amount ?? '' },
          call,
        );
        return { body: holdCaptureJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: HoldParams }>(
    '/v1/accounts/:id/holds/:holdId/release',
    { schema: releaseHoldSchema, config: { roles: STAFF }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const { id: accountId, holdId } = request.params;
        const result = await commands.ReleaseHold({ context, accountId, holdId }, call);
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams; Body: { reason?: string } }>(
    '/v1/accounts/:id/freeze',
    { schema: freezeSchema, config: { roles: ADMIN }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.FreezeAccount(
          { context, accountId, reason: request.body.reason ?? '' },
          call,
        );
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams }>(
    '/v1/accounts/:id/unfreeze',
    { schema: unfreezeSchema, config: { roles: ADMIN }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.UnfreezeAccount({ context, accountId }, call);
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams }>(
    '/v1/accounts/:id/close',
    { schema: closeSchema, config: { roles: OWNER_OR_ADMIN }, preValidation: emptyBodyIsObject },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.CloseAccount({ context, accountId }, call);
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );

  app.post<{ Params: AccountParams; Body: { overdraftLimit: string } }>(
    '/v1/accounts/:id/overdraft-limit',
    { schema: overdraftLimitSchema, config: { roles: ADMIN } },
    (request, reply) =>
      runCommand(request, reply, 200, async (context, call) => {
        const accountId = request.params.id;
        const result = await commands.ChangeOverdraftLimit(
          { context, accountId, overdraftLimit: request.body.overdraftLimit },
          call,
        );
        return { body: accountCommandJson(result), invalidates: [accountTag(accountId)] };
      }),
  );
}
