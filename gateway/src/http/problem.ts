import { AppError, type ErrorCategory } from '@bank/platform';
import type { TokenRefusalCode } from '@bank/platform';
import { AMOUNT_PATTERN, LIMIT_PATTERN } from '../schemas/shared.js';

/**
 * RFC 9457 problem details. Codes are stable: clients switch on `code`, never on `detail`.
 * Business and service codes come from the platform catalogue (AppError); the codes below
 * belong to the HTTP edge alone (authentication, quotas, body handling).
 */
export type EdgeCode =
  | 'VALIDATION_FAILED'
  | TokenRefusalCode
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'INTERNAL';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  field?: string;
}

export interface Problem {
  readonly body: ProblemBody;
  readonly headers: Record<string, string>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error raised by the gateway itself, already knowing its HTTP status. */
export class HttpProblem extends Error {
  readonly type = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: EdgeCode,
    message: string,
    readonly extras: { readonly field?: string; readonly headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  business: 422,
  conflict: 409,
  unavailable: 503,
  deadline: 504,
  internal: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const problemType = (code: string): string =>
  `https://bank.example/problems/${code.toLowerCase().replace(/_/g, '-')}`;

export function problem(
  status: number,
  code: string,
  detail: string | undefined,
  extras: { field?: string; instance?: string } = {},
): ProblemBody {
  return {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(extras.instance === undefined ? {} : { instance: extras.instance }),
    ...(extras.field === undefined ? {} : { field: extras.field }),
  };
}

interface ValidationEntry {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/**
 * What a person can act on instead of the validator's wording: the rule behind a pattern,
 * the allowed values of an enum (currency codes are upper case).
 */
const PATTERN_RULES: Readonly<Record<string, string>> = {
  [AMOUNT_PATTERN]:
    'must be a positive decimal string such as "12.34" (digits and at most one point, no sign; ' +
    'no more decimals than the currency has)',
  [LIMIT_PATTERN]: 'must be a whole number between 1 and 200',
};

function validationMessage(entry: ValidationEntry, field: string | undefined): string {
  const pattern = entry.params?.['pattern'];
  if (entry.keyword === 'pattern' && typeof pattern === 'string' && PATTERN_RULES[pattern]) {
    return PATTERN_RULES[pattern];
  }
  const allowed = entry.params?.['allowedValues'];
  if (entry.keyword === 'enum' && Array.isArray(allowed)) {
    const note = field === 'currency' ? ' (ISO 4217 codes, upper case)' : '';
    return `must be one of ${allowed.join(', ')}${note}`;
  }
  return entry.message ?? 'is invalid';
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: ReadonlyArray<ValidationEntry>;
  validationContext?: string;
}

export interface ProblemContext {
  /** The request path: the problem's `instance`. */
  readonly instance: string;
  /**
   * True for principals that see only their own resources: every not-found reads the same
   * way for them, so nothing in the answer tells "exists but not yours" from "does not exist".
   */
  readonly hideNotFoundDetail: boolean;
}

/** A problem, and whether it stands for an internal failure (a 500 with no detail). */
export type MappedProblem = Problem & { readonly internal: boolean };

/** The one mapper from anything thrown to a problem. Unknown errors are 500 with no detail. */
export function toProblem(error: unknown, context: ProblemContext): MappedProblem {
  if (error instanceof HttpProblem) return edgeProblem(error, context.instance);
  if (error instanceof AppError) return appProblem(error, context);
  return fastifyProblem(error, context.instance) ?? internalProblem(context.instance);
}

/** The gateway's own refusals carry their status, code, field and headers. */
function edgeProblem(error: HttpProblem, instance: string): MappedProblem {
  return answered(
    problem(error.status, error.code, error.message, {
      instance,
      ...fieldOf(error.extras.field),
    }),
    error.extras.headers ?? {},
  );
}

/** Catalogue errors from the services: the category sets the status; internal ones say nothing. */
function appProblem(error: AppError, context: ProblemContext): MappedProblem {
  const instance = context.instance;
  if (error.category === 'internal') return internalProblem(instance);
  if (error.category === 'not_found' && context.hideNotFoundDetail) {
    return answered(problem(404, 'NOT_FOUND', 'resource not found', { instance }));
  }
  const headers =
    error.category === 'unavailable' || error.details.retryAfterMs !== undefined
      ? retryAfter(error.details.retryAfterMs)
      : {};
  const field = error.details.field === undefined ? undefined : camelCase(error.details.field);
  return answered(
    problem(STATUS_BY_CATEGORY[error.category], error.code, error.message, {
      instance,
      ...fieldOf(field),
    }),
    headers,
  );
}

/** Whole seconds, at least one; a second when the service gave no hint. */
function retryAfter(retryAfterMs: number | undefined): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))) };
}

/** Fastify's errors about the request (schema, body size, media type, syntax); undefined for others. */
function fastifyProblem(error: unknown, instance: string): MappedProblem | undefined {
  const fastifyError = error as FastifyLikeError | null;
  if (!fastifyError || typeof fastifyError !== 'object') return undefined;
  if (fastifyError.validation !== undefined) {
    return validationProblem(fastifyError.validation, fastifyError.validationContext, instance);
  }
  const status = fastifyError.statusCode;
  if (status === 413) {
    return answered(problem(413, 'PAYLOAD_TOO_LARGE', 'request body is too large', { instance }));
  }
  if (status === 415) {
    return answered(
      problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', { instance }),
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, empty JSON body, bad content-length): their
    // messages describe the request, never our internals.
    const detail = fastifyError.message ?? 'malformed request';
    return answered(problem(400, 'VALIDATION_FAILED', detail, { instance }));
  }
  return undefined;
}

/** A schema failure, told by its first entry: where, which field, and the rule broken. */
function validationProblem(
  validation: ReadonlyArray<ValidationEntry>,
  validationContext: string | undefined,
  instance: string,
): MappedProblem {
  const first = validation[0];
  const field = first ? fieldFromValidation(first) : undefined;
  const where = validationContext ?? 'request';
  const detail = first
    ? `${where}${field ? `.${field}` : ''} ${validationMessage(first, field)}`
    : 'invalid request';
  return answered(problem(400, 'VALIDATION_FAILED', detail, { instance, ...fieldOf(field) }));
}

const answered = (body: ProblemBody, headers: Record<string, string> = {}): MappedProblem => ({
  body,
  headers,
  internal: false,
});

const internalProblem = (instance: string): MappedProblem => ({
  body: problem(500, 'INTERNAL', undefined, { instance }),
  headers: {},
  internal: true,
});

const fieldOf = (field: string | undefined): { field?: string } =>
  field === undefined ? {} : { field };

function fieldFromValidation(entry: {
  instancePath?: string;
  params?: Record<string, unknown>;
}): string | undefined {
  const path = (entry.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra =
    typeof entry.params?.['missingProperty'] === 'string'
      ? entry.params['missingProperty']
      : typeof entry.params?.['additionalProperty'] === 'string'
        ? entry.params['additionalProperty']
        : undefined;
  const parts = [path, extra].filter((p): p is string => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join('.') : undefined;
}

/** Proto field names (overdraft_limit) as the JSON names clients sent (overdraftLimit). */
export const camelCase = (name: string): string =>
  name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
