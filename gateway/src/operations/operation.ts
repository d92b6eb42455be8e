import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
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
import { runCommand, runDryRun, type CommandOutcome } from '../http/run-command.js';
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
export interface Described {
  readonly operationId: string;
  readonly summary: string;
  /** The rules beyond who may call it (that sentence is generated from the access rule). */
  readonly description: string;
  readonly tags: readonly string[];
  readonly problems: readonly ProblemCode[];
  readonly path: string;
}

/**
 * The value a request part's schema admits, its TypeScript type taken from the schema itself
 * (TypeBox); no schema: no fields.
 */
export type Input<S extends TSchema | undefined> = S extends undefined
  ? Record<string, never>
  : Static<NonNullable<S>>;

/** What a command's handlers see: the validated path parameters and body, and the request. */
export interface CommandRequest<P extends TSchema | undefined, B extends TSchema | undefined> {
  readonly params: Input<P>;
  readonly body: Input<B>;
  readonly http: FastifyRequest;
}

/** What a read's handlers see: the validated path and query parameters, and the request. */
export interface QueryRequest<P extends TSchema | undefined, Q extends TSchema | undefined> {
  readonly params: Input<P>;
  readonly query: Input<Q>;
  readonly http: FastifyRequest;
}

/** A shared schema (schemas/shared.ts) by reference: the string it admits. */
export const ref = (id: 'Uuid' | 'Amount' | 'Currency' | 'OwnerId') =>
  Type.Unsafe<string>({ $ref: `${id}#` });

/** A string that is one of `values`, typed as their union, validated as an `enum`. */
export const oneOf = <const V extends readonly string[]>(values: V, description: string) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: values, description });

/** A strict object: unknown fields are a 400. */
export const object = <P extends TProperties>(properties: P, description?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });

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
  dryRun: Type.Optional(
    Type.Boolean({
      description:
        'true: decide and answer 200 with what would happen (statuses prefixed `would_`), ' +
        'recording nothing; no Idempotency-Key needed. A refusal is the same problem a real ' +
        'request would get.',
    }),
  ),
};

/** The paging parameters of every listing: a page size and the cursor of the previous page. */
export const pageParams = {
  limit: Type.Optional(Type.String({ pattern: LIMIT_PATTERN, description: '1..200, default 50.' })),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 512, description: 'nextCursor of the previous page.' }),
  ),
};

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

export const accountParams = object({ id: ref('Uuid') });

export const holdParams = object({ id: ref('Uuid'), holdId: ref('Uuid') });

export const emptyBody = object({}, 'No fields; the body may be omitted.');

/**
 * A POST: exactly once per Idempotency-Key (runCommand), or, when it has `dryRunResult` and the
 * body says `"dryRun": true`, a dry run (runDryRun). A body without required fields may be
 * omitted.
 */
export function command<
  const B extends TObject,
  T,
  const P extends TObject | undefined = undefined,
>(op: CommandSpec<P, B, T>): Operation {
  // The route validates every request against these schemas, so the handlers' types hold.
  return defineCommand(op as unknown as ErasedCommand);
}

/** A command: P and B are the schemas of its path parameters and body, T its answer. */
export type CommandSpec<P extends TObject | undefined, B extends TObject, T> = Described & {
  readonly params?: P;
  readonly rpc: CommandRpc;
  readonly body: B;
  readonly status: 200 | 201;
  readonly result: string;
  /**
   * The answer of a dry run (200), when the body may ask for one (`dryRunField`); T then carries
   * the statuses a dry run prefixes.
   */
  readonly dryRunResult?: string;
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

/** A command as registration sees it: its request types checked by the schemas at run time. */
export type ErasedCommand = Omit<CommandSpec<TObject, TObject, unknown>, 'check' | 'send'> & {
  readonly check?: (request: CommandRequest<TObject, TObject>) => void;
  readonly send: (
    request: CommandRequest<TObject, TObject>,
    commands: CommandApi,
    context: commandTypes.CommandContext,
    call: CallContext,
  ) => Promise<CommandOutcome<unknown>>;
};

export function defineCommand(op: ErasedCommand): Operation {
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
      app.post(
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
          const input = { params: request.params, body: request.body, http: request } as const;
          op.check?.(input as CommandRequest<TObject, TObject>);
          const execute = (context: commandTypes.CommandContext, call: CallContext) =>
            op.send(input as CommandRequest<TObject, TObject>, commands, context, call);
          const dryRun = (request.body as { dryRun?: unknown }).dryRun === true;
          return op.dryRunResult && dryRun
            ? runDryRun(request, reply, execute)
            : runCommand(request, reply, op.status, execute);
        },
      );
    },
  };
}

/** A GET: from the per-principal cache or the query service (cachedRead), with an ETag. */
export function query<
  T,
  const P extends TObject | undefined = undefined,
  const Q extends TObject | undefined = undefined,
>(
  op: Described & {
    readonly params?: P;
    readonly querystring?: Q;
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
      app.get(
        op.path,
        { schema, config: { roles: callerRoles(READ_ACCESS) } },
        (request, reply) => {
          // Validated against the schemas before this runs.
          const input = {
            params: request.params,
            query: request.query,
            http: request,
          } as QueryRequest<P, Q>;
          op.check?.(input);
          return cachedRead(request, reply, (options, call) =>
            op.load(input, queries, options, call),
          );
        },
      );
    },
  };
}

/** The parts every operation's schema shares: its names, text, tags, problems and params. */
function documented(
  op: Described & { readonly params?: object | undefined },
  access: Access,
  problems: readonly ProblemCode[],
) {
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
