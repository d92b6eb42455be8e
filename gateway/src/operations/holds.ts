import { accountTag } from '../cache/response-cache.js';
import { holdCaptureJson, holdJson, holdPageJson, holdViewJson } from '../upstream/mapping.js';
import { DEBIT_PROBLEMS, onAccount } from './accounts.js';
import { Type } from '@sinclair/typebox';
import {
  accountParams,
  command,
  emptyBody,
  holdParams,
  object,
  pageParams,
  query,
  ref,
} from './operation.js';

const tags = ['holds'];

export const placeHold = command({
  operationId: 'placeHold',
  path: '/v1/accounts/:id/holds',
  rpc: 'PlaceHold',
  problems: [...DEBIT_PROBLEMS, 'HOLD_EXPIRED'],
  summary: 'Place a hold',
  description: 'Reserves an amount; answers the hold id.',
  tags,
  params: accountParams,
  body: object({
    amount: ref('Amount'),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'RFC 3339; the hold expires then.' }),
    ),
  }),
  status: 200,
  result: 'HoldResult',
  async send(request, commands, context, call) {
    const accountId = request.params.id;
    const { amount, expiresAt } = request.body;
    const result = await commands.PlaceHold(
      { context, accountId, amount, expiresAt: expiresAt ?? '', holdId: '' },
      call,
    );
    return {
      body: holdJson(result),
      replayed: result.replayed,
      invalidates: [accountTag(accountId)],
    };
  },
});

export const captureHold = command({
  operationId: 'captureHold',
  path: '/v1/accounts/:id/holds/:holdId/capture',
  rpc: 'CaptureHold',
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
    'Captures the whole hold, or `amount` of it (at most the hold, else 422 ' +
    'CAPTURE_EXCEEDS_HOLD): that amount leaves the balance and the hold closes. A partial ' +
    'capture releases the rest of the hold at once, back to the available balance (as posting ' +
    'a pending transfer does), so the rest cannot be captured later. The answer says how much ' +
    'went back (`released`, "0.00" when all of it was captured); GET the hold for `captured` ' +
    'and `released` later.',
  tags,
  params: holdParams,
  body: object({ amount: Type.Optional(ref('Amount')) }),
  status: 200,
  result: 'HoldCaptureResult',
  async send(request, commands, context, call) {
    const { id: accountId, holdId } = request.params;
    const result = await commands.CaptureHold(
      { context, accountId, holdId, amount: request.body.amount ?? '' },
      call,
    );
    return {
      body: holdCaptureJson(result),
      replayed: result.replayed,
      invalidates: [accountTag(accountId)],
    };
  },
});

export const releaseHold = onAccount(
  {
    operationId: 'releaseHold',
    path: '/v1/accounts/:id/holds/:holdId/release',
    rpc: 'ReleaseHold',
    problems: ['NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'HOLD_NOT_FOUND'],
    summary: 'Release a hold',
    description: '',
    tags,
    params: holdParams,
    body: emptyBody,
  },
  (commands, { id: accountId, holdId }, _body, context, call) =>
    commands.ReleaseHold({ context, accountId, holdId }, call),
);

const HOLD_STATUSES = 'open|captured|released|expired';

export const listHolds = query({
  operationId: 'listHolds',
  path: '/v1/accounts/:id/holds',
  problems: ['NOT_FOUND'],
  summary: "List an account's holds",
  description: 'Open and settled holds, newest first, keyset-paginated like the transactions.',
  tags,
  params: accountParams,
  result: 'HoldPage',
  querystring: object({
    ...pageParams,
    status: Type.Optional(
      Type.String({
        pattern: `^(${HOLD_STATUSES})(,(${HOLD_STATUSES}))*$`,
        description: `Comma list of statuses: ${HOLD_STATUSES.split('|').join(', ')}.`,
      }),
    ),
  }),
  async load(request, queries, options, call) {
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
  },
});

export const getHold = query({
  operationId: 'getHold',
  path: '/v1/accounts/:id/holds/:holdId',
  problems: ['NOT_FOUND'],
  summary: 'Get a hold',
  description: 'Its amount, what was captured and released, and its status.',
  tags,
  params: holdParams,
  result: 'Hold',
  async load(request, queries, options, call) {
    const hold = await queries.GetHold(
      { options, accountId: request.params.id, holdId: request.params.holdId },
      call,
    );
    return { body: holdViewJson(hold), tags: [accountTag(request.params.id)] };
  },
});
