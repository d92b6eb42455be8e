import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isStaff } from '../auth/principal.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from '../http/problem.js';

/** The problem context of a request: its path, and whether not-founds must all look alike. */
export function problemContext(request: FastifyRequest) {
  return {
    instance: request.url.split('?')[0] ?? request.url,
    hideNotFoundDetail: request.principal ? !isStaff(request.principal) : false,
  };
}

/**
 * The one error handler: everything thrown becomes an RFC 9457 problem. Internal errors are
 * logged with their stack and answered as a bare 500 INTERNAL.
 */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error, problemContext(request));
      if (problem.internal) request.log.error({ err: error }, 'request failed');
      else if (problem.body.status >= 500)
        request.log.warn({ code: problem.body.code }, problem.body.detail);
      return reply
        .code(problem.body.status)
        .headers(problem.headers)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem.body);
    });
    app.setNotFoundHandler((request, reply) => {
      const problem = toProblem(
        new HttpProblem(
          404,
          'NOT_FOUND',
          `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
        ),
        problemContext(request),
      );
      return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problem.body);
    });
    done();
  },
  { name: 'errors', fastify: '5.x' },
);
