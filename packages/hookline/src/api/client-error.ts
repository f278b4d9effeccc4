import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode, problemBody } from './errors.js';

/**
 * What node:http's parser refuses before any route sees it (a method it does not know, a malformed request
 * line or header, headers over its limit, a request that did not arrive whole in time), answered as
 * problem+json like every other error instead of node's bare status line. As node's own handler does, it
 * answers only while no response has started on the connection, then closes it (the parser cannot find where
 * the next request begins).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [code, detail] = describe(error.code);
    const body = JSON.stringify(problemBody(code, detail));
    const { status } = ERROR_CODES[code];
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function describe(code: string | undefined): [ErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return ['headers_too_large', 'the request headers are larger than 16 KiB'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return ['request_timeout', 'the request (headers and body) did not arrive whole within 60 s'];
  }
  return ['malformed_request', `the request is not valid HTTP/1.1 (${code ?? 'unreadable'}): check the method and headers`];
}
