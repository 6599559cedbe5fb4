/**
 * Answers a connection whose request is not even HTTP (malformed request line or headers,
 * headers too large, a request that took too long) with a protocol error body, then closes it.
 */
import type { Socket } from 'node:net';

export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const body = JSON.stringify({
    error: { code: 'invalid_request', message: timeout ? 'the request took too long to arrive' : 'the request is not valid HTTP' },
  });
  const status = timeout ? '408 Request Timeout' : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
