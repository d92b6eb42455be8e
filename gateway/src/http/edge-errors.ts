import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { replyWithProblem } from '../plugins/errors.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problem, type EdgeCode } from './problem.js';

/**
 * Errors Fastify raises before a route runs (a URL that does not decode, a path parameter over
 * the length limit): answered as problems like every other error, instead of Fastify's own JSON.
 * Any other is answered as what it is (an internal error).
 */
export function frameworkErrorProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void replyWithProblem(
    error.code === 'FST_ERR_BAD_URL'
      ? new HttpProblem(400, 'VALIDATION_FAILED', 'the URL is not valid (bad percent-encoding)')
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new HttpProblem(414, 'URI_TOO_LONG', 'a path parameter is too long')
        : error,
    request,
    reply,
  );
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
