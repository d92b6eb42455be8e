import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isStaff } from '@bank/platform';
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from '../http/problem.js';

/**
 * The problem context of a request: its path (cut short: a path refused for its length can be
 * huge), and whether not-founds must all look alike.
 */
export function problemContext(request: FastifyRequest) {
  const path = request.url.split('?')[0] ?? request.url;
  return {
    instance: path.length > 256 ? `${path.slice(0, 256)}...` : path,
    hideNotFoundDetail: request.principal ? !isStaff(request.principal) : false,
  };
}

/** Answers with the problem for `error`; internal errors are logged with their stack. */
export function replyWithProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const problem = toProblem(error, problemContext(request));
  if (problem.internal) request.log.error({ err: error }, 'request failed');
  else if (problem.body.status >= 500)
    request.log.warn({ code: problem.body.code }, problem.body.detail);
  return reply
    .code(problem.body.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.body);
}

/**
 * The one error handler: everything thrown becomes an RFC 9457 problem. Internal errors are
 * logged with their stack and answered as a bare 500 INTERNAL.
 */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((error, request, reply) => replyWithProblem(error, request, reply));
    // Every route's path pattern and methods, to tell a wrong method (405) from a wrong path.
    const routes = new Map<string, { readonly pattern: RegExp; readonly methods: Set<string> }>();
    app.addHook('onRoute', (route) => {
      const entry = routes.get(route.url) ?? {
        pattern: pathPattern(route.url),
        methods: new Set(),
      };
      for (const method of [route.method].flat()) entry.methods.add(method);
      routes.set(route.url, entry);
    });
    app.setNotFoundHandler((request) => {
      const path = request.url.split('?')[0] ?? '';
      const allowed = new Set<string>();
      for (const { pattern, methods } of routes.values())
        if (pattern.test(path)) for (const method of methods) allowed.add(method);
      const error =
        allowed.size > 0 && !allowed.has(request.method)
          ? new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`, {
              headers: { allow: [...allowed].sort().join(', ') },
            })
          : new HttpProblem(404, 'NOT_FOUND', `no route ${request.method} ${path}`);
      throw error; // answered by the error handler above
    });
    done();
  },
  { name: 'errors', fastify: '5.x' },
);

/** A route's path (`/v1/accounts/:id`, `/docs/*`) as a pattern for concrete paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) =>
      part.startsWith(':')
        ? '[^/]+'
        : part === '*'
          ? '.*'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}
