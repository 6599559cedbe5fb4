/**
 * Answers a connection whose request is not even HTTP (malformed request line or headers,
 * headers too large, a request that took too long) with a protocol error body, then closes it.
 * It gets a request id and a log line like every other answer, so that a client's report of
 * it (or a proxy's log line) can be matched to the server's.
 */
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { REQUEST_CODINGS } from './compression.ts';

/** The log line of such an answer: its id, status, the peer's address and why (Node's error code). */
export interface ClientErrorLine {
  readonly reqId: string;
  readonly status: number;
  readonly ip: string | undefined;
  readonly reason: string;
}

/**
 * `headers`: more headers for the answer (CORS's for `*`: cors.ts), from this server, never a
 * client. The id is always a new one: the request's own `X-Request-Id`, if it had one, could not be read.
 */
export function handleClientError(
  err: Error & { code?: string },
  socket: Socket,
  headers: Readonly<Record<string, string>> = {},
  log: (line: ClientErrorLine) => void = () => {},
): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] = answerTo(err.code);
  const reqId = randomUUID();
  log({ reqId, status: Number.parseInt(status, 10), ip: socket.remoteAddress, reason: err.code ?? 'not HTTP' });
  const body = JSON.stringify({ error: { code: 'invalid_request', message } });
  const more = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    // Its path is unknown (the request could not be read): it may have been a sync request,
    // whose every answer says which request codings the server takes (docs/protocol.md §5).
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAccept-Encoding: ${REQUEST_CODINGS}\r\nX-Request-Id: ${reqId}\r\n${more}Connection: close\r\n\r\n${body}`,
  );
}

function answerTo(code: string | undefined): [status: string, message: string] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['408 Request Timeout', 'the request took too long to arrive'];
    case 'HPE_HEADER_OVERFLOW':
      // Most likely a token grown too large (an identity provider's, with many claims).
      return ['431 Request Header Fields Too Large', `the request headers are over the server's limit of ${Math.round(maxHeaderSize / 1024)} KiB`];
    default:
      return ['400 Bad Request', 'the request is not valid HTTP'];
  }
}
