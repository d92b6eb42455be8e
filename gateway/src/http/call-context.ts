import type { FastifyRequest } from 'fastify';
import { requestTraceContext } from '../plugins/tracing.js';
import type { CallContext } from '../upstream/clients.js';

/** What an upstream call carries from its HTTP request: the correlation id and the trace. */
export function callContextOf(request: FastifyRequest): CallContext {
  return { correlationId: String(request.id), trace: requestTraceContext(request) };
}
