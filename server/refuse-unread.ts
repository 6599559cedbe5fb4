/**
 * Refusing a request without reading its body (issue 12, a small sync while large pushes
 * arrive). When 128 pushes of 4 MiB arrive at once and most are shed with 429 before their
 * body is read, keeping the connection means reading every shed body to its end anyway (HTTP
 * must pass over it to reach the next request): about 400 MiB per burst, read and thrown
 * away on the event loop, and as much written in vain by the clients.
 *
 * So the answer ends the connection: `Connection: close`, our side closed (FIN), and nothing
 * more read. What must not happen is a reset before the client has read the answer: closing
 * a socket with unread bytes sends one, and a client that gets it while still sending can
 * report a network error instead of the 429 (Node's fetch did, about one time in five, when
 * the socket was closed as soon as the answer was sent). So the connection lingers, unread,
 * for `lingerMs` before it is closed: clients that read while they send (fetch in Node and
 * in browsers, `nodeFetch`) read the answer and drop the connection; one that reads only once
 * its body is sent (some HTTP libraries do) reads it too when the socket buffers took its body
 * (on loopback, several MiB), and sees the connection closed otherwise: it retries as after
 * any network failure. The linger does not read: a client that dropped the connection can
 * leave its unsent bytes in its kernel, still arriving, and draining them is the cost spared.
 *
 * The answer is written on the socket directly (as client-error.ts does), because Node's
 * own response would start reading the body as soon as it is sent.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface UnreadRefusal {
  readonly status: number;
  /** Headers besides Content-Type, Content-Length, Date and Connection. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body. */
  readonly body: string;
}

/** The answer as HTTP/1.1 text, with `Connection: close`; to a HEAD request, its head alone. */
export function refusalText(answer: UnreadRefusal, date = new Date(), head = false): string {
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(answer.headers)) {
    // Header values come from this server, never from a client; still, no line breaks.
    if (!/[\r\n]/.test(name + value)) lines.push(`${name}: ${value}`);
  }
  lines.push(
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(answer.body)}`,
    `Date: ${date.toUTCString()}`,
    'Connection: close',
  );
  return `${lines.join('\r\n')}\r\n\r\n${head ? '' : answer.body}`;
}

/**
 * Answers `req` (whose body was not read, and whose response was not started) and closes
 * the connection as above. The caller hands the response over first (Fastify's `hijack`).
 * `linger` takes the answered connection and closes it after the linger (the connection
 * bound's `linger`: connection-limits.ts, where a lingering connection no longer counts
 * against its address's bound).
 */
export function refuseUnread(req: IncomingMessage, answer: UnreadRefusal, linger: (socket: Socket) => void): void {
  const socket = req.socket;
  // Stop reading: the HTTP parser had stopped anyway once the unread body filled its buffer.
  socket.pause();
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(refusalText(answer, new Date(), req.method === 'HEAD'));
  if (req.complete) {
    socket.destroySoon(); // nothing unread: a plain close
    return;
  }
  linger(socket);
}
