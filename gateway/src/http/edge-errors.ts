import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problem, type EdgeCode } from './problem.js';

/**
 * Errors Fastify raises before a route runs (a URL that does not decode, a path parameter over
 * the length limit): answered as problems like every other error, not with Fastify's own JSON.
 */
export function frameworkErrorProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // The path as the problem's instance, cut short: the one refused for its length can be huge.
  const path = request.url.split('?')[0] ?? request.url;
  const instance = path.length > 256 ? `${path.slice(0, 256)}...` : path;
  const [status, code, detail]: [number, EdgeCode, string] =
    error.code === 'FST_ERR_BAD_URL'
      ? [400, 'VALIDATION_FAILED', 'the URL is not valid (bad percent-encoding)']
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, 'URI_TOO_LONG', 'a path parameter is too long']
        : [500, 'INTERNAL', 'internal error'];
  if (status >= 500) request.log.error({ err: error }, 'request failed before routing');
  void reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem(status, code, detail, { instance }));
}

/**
 * Errors of the HTTP parser, before there is a request (headers too large, a malformed request,
 * a request timeout): a problem written straight to the socket, which is then closed. A reset
 * connection gets nothing.
 */
export function clientErrorProblem(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail]: [number, EdgeCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
        : [400, 'VALIDATION_FAILED', 'the request is not valid HTTP'];
  if (socket.writable) {
    const body = JSON.stringify(problem(status, code, detail));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
