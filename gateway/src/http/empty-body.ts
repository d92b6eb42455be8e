import type { FastifyRequest } from 'fastify';

/** Commands whose fields are all optional may be sent without a body: it reads as `{}`. */
export const emptyBodyIsObject = (
  request: FastifyRequest,
  _reply: unknown,
  done: () => void,
): void => {
  request.body ??= {};
  done();
};
