import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import type { commandTypes } from '@bank/proto';
import {
  callerRoles,
  COMMAND_ACCESS,
  describeAccess,
  READ_ACCESS,
  type Access,
  type CommandRpc,
} from '@bank/platform';
import type { queryTypes } from '@bank/proto';
import { cachedRead, type ReadOutcome } from '../http/cached-read.js';
import { emptyBodyIsObject } from '../http/empty-body.js';
import { operationProblems, problemResponses, type ProblemCode } from '../http/problem-codes.js';
import {
  runCommand,
  runDryRun,
  type CommandOutcome,
  type WithStatuses,
} from '../http/run-command.js';
import { LIMIT_PATTERN } from '../schemas/shared.js';
import type { CallContext, CommandApi, QueryApi } from '../upstream/clients.js';

/**
 * One declaration per operation of the public API: its method and path, schemas, problem codes,
 * summary and text, who may call it (the command's rule in COMMAND_ACCESS, shared with the
 * command service; READ_ACCESS for reads) and what it does upstream. The gateway registers every
 * route from these (registerOperations) and the OpenAPI document is generated from the routes.
 * Requests are strict: unknown fields, wrong types and JSON numbers for amounts are 400s (the
 * validator neither coerces nor strips).
 */

declare module 'fastify' {
  interface FastifySchema {
    /** Every problem `code` the operation can answer. */
    'x-problem-codes'?: readonly string[];
  }
}

/** A declared operation, ready to register on the /v1 scope. */
export interface Operation {
  readonly operationId: string;
  register(app: FastifyInstance): void;
}

/** What the document says of an operation. */
interface Described {
  readonly operationId: string;
  readonly summary: string;
  /** The rules beyond who may call it (that sentence is generated from the access rule). */
  readonly description: string;
  readonly tags: readonly string[];
  readonly problems: readonly ProblemCode[];
  readonly path: string;
  readonly params?: object;
}

/** A request body's JSON schema: an object, its required fields listed. */
interface ObjectSchema {
  readonly type: 'object';
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

type CommandRequest<P, B> = FastifyRequest<{ Params: P; Body: B }>;
type QueryRequest<P, Q> = FastifyRequest<{ Params: P; Querystring: Q }>;

/**
 * Free text must be well-formed Unicode: a lone surrogate (valid in JSON, "\ud800") cannot be
 * stored as UTF-8 and would silently become U+FFFD. A 400 instead (Ajv compiles patterns with
 * the `u` flag, where \P{Cs} matches every code point but an unpaired surrogate).
 */
export const WELL_FORMED = '^\\P{Cs}*$';

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
export const dryRunField = {
  dryRun: {
    type: 'boolean',
    description:
      'true: decide and answer 200 with what would happen (statuses prefixed `would_`), ' +
      'recording nothing; no Idempotency-Key needed. A refusal is the same problem a real ' +
      'request would get.',
  },
} as const;

/** The paging parameters of every listing: a page size and the cursor of the previous page. */
export const pageParams = {
  limit: { type: 'string', pattern: LIMIT_PATTERN, description: '1..200, default 50.' },
  cursor: {
    type: 'string',
    minLength: 1,
    maxLength: 512,
    description: 'nextCursor of the previous page.',
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

export const accountParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { $ref: 'Uuid#' } },
} as const;

export const holdParams = {
  type: 'object',
  required: ['id', 'holdId'],
  additionalProperties: false,
  properties: { id: { $ref: 'Uuid#' }, holdId: { $ref: 'Uuid#' } },
} as const;

export const emptyBody = {
  type: 'object',
  additionalProperties: false,
  properties: {},
  description: 'No fields; the body may be omitted.',
} as const;

/**
 * A POST: exactly once per Idempotency-Key (runCommand), or, when it has `dryRunResult` and the
 * body says `"dryRun": true`, a dry run (runDryRun). A body without required fields may be
 * omitted.
 */
export function command<P, B, T>(op: CommandSpec<P, B, T>): Operation {
  return defineCommand(op);
}

export type CommandSpec<P, B, T> = Described & {
  readonly rpc: CommandRpc;
  readonly body: ObjectSchema;
  readonly status: 200 | 201;
  readonly result: string;
  /** The answer of a dry run (200), when the body may ask for one (`dryRunField`). */
  readonly dryRunResult?: T extends WithStatuses ? string : never;
  /** A larger body limit than the server's, for this route only. */
  readonly bodyLimit?: number;
  /** The gateway's own refusals, before the key is claimed. */
  readonly check?: (request: CommandRequest<P, B>) => void;
  readonly send: (
    request: CommandRequest<P, B>,
    commands: CommandApi,
    context: commandTypes.CommandContext,
    call: CallContext,
  ) => Promise<CommandOutcome<T>>;
};

function defineCommand<P, B, T>(op: CommandSpec<P, B, T>): Operation {
  const access = COMMAND_ACCESS[op.rpc];
  const problems = operationProblems('command', op.problems);
  const schema: FastifySchema = {
    ...documented(op, access, problems),
    headers: op.dryRunResult ? dryRunIdempotencyHeaders : idempotencyHeaders,
    body: op.body,
    response: {
      [op.status]: json(op.status === 201 ? 'Created.' : 'Done.', op.result),
      ...(op.dryRunResult
        ? { 200: json('A dry run: what would happen; nothing recorded.', op.dryRunResult) }
        : {}),
      ...problemResponses(problems),
    },
  };
  const optionalBody = (op.body.required ?? []).length === 0;
  return {
    operationId: op.operationId,
    register(app) {
      const { commands } = app.upstreams;
      app.post<{ Params: P; Body: B }>(
        op.path,
        {
          schema,
          config: { roles: callerRoles(access) },
          ...(optionalBody ? { preValidation: emptyBodyIsObject } : {}),
          ...(op.bodyLimit === undefined
            ? {}
            : { bodyLimit: Math.max(app.initialConfig.bodyLimit ?? 0, op.bodyLimit) }),
        },
        (request, reply) => {
          op.check?.(request);
          const execute = (context: commandTypes.CommandContext, call: CallContext) =>
            op.send(request, commands, context, call);
          const dryRun = (request.body as { dryRun?: unknown }).dryRun === true;
          // dryRunResult is declared only where T has statuses (its type says so).
          return op.dryRunResult && dryRun
            ? runDryRun(
                request,
                reply,
                execute as (
                  context: commandTypes.CommandContext,
                  call: CallContext,
                ) => Promise<CommandOutcome<WithStatuses>>,
              )
            : runCommand(request, reply, op.status, execute);
        },
      );
    },
  };
}

/** A GET: from the per-principal cache or the query service (cachedRead), with an ETag. */
export function query<P, Q, T>(
  op: Described & {
    readonly querystring?: object;
    readonly result: string;
    /** The gateway's own refusals (a parameter the schema cannot check alone). */
    readonly check?: (request: QueryRequest<P, Q>) => void;
    readonly load: (
      request: QueryRequest<P, Q>,
      queries: QueryApi,
      options: queryTypes.ReadOptions,
      call: CallContext,
    ) => Promise<ReadOutcome<T>>;
  },
): Operation {
  const problems = operationProblems('read', op.problems);
  const schema: FastifySchema = {
    ...documented(op, READ_ACCESS, problems),
    headers: readHeaders,
    // No query parameters unless a route lists them: an unknown one is a 400 everywhere.
    // (`properties` present, so that the document lists no parameter for it).
    querystring: op.querystring ?? { type: 'object', additionalProperties: false, properties: {} },
    response: {
      200: json('OK, with an ETag.', op.result),
      304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
      ...problemResponses(problems),
    },
  };
  return {
    operationId: op.operationId,
    register(app) {
      const { queries } = app.upstreams;
      app.get<{ Params: P; Querystring: Q }>(
        op.path,
        { schema, config: { roles: callerRoles(READ_ACCESS) } },
        (request, reply) => {
          op.check?.(request);
          return cachedRead(request, reply, (options, call) =>
            op.load(request, queries, options, call),
          );
        },
      );
    },
  };
}

/** The parts every operation's schema shares: its names, text, tags, problems and params. */
function documented(op: Described, access: Access, problems: readonly ProblemCode[]) {
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: `${describeAccess(access)} ${op.description}`.trim(),
    tags: [...op.tags],
    'x-problem-codes': problems,
    security: bearer,
    ...(op.params ? { params: op.params } : {}),
  };
}

/** Registers every operation's route. */
export function registerOperations(app: FastifyInstance, operations: readonly Operation[]): void {
  for (const operation of operations) operation.register(app);
}
