import type { FastifyRequest } from 'fastify';
import { requestTraceContext } from '../plugins/tracing.js';
import { HttpProblem } from './problem.js';
import type { CallContext } from '../upstream/clients.js';

/**
 * What an upstream call carries from its HTTP request: the correlation id, the trace, and the
 * caller's bearer token (every route that calls upstream has authenticated it).
 */
export function callContextOf(request: FastifyRequest): CallContext {
  if (!request.bearerToken)
    throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required');
  return {
    correlationId: String(request.id),
    trace: requestTraceContext(request),
    token: request.bearerToken,
  };
}
