/**
 * A request line and framing headers the server refuses before anything reads the body, each
 * a way a proxy in front and this server could read the same bytes as different requests. The
 * answer closes the connection: what follows on it cannot be framed with confidence.
 *
 * - A version other than HTTP/1.1 or 1.0. Node's parser refuses most itself (client-error.ts),
 *   but lets `HTTP/2.0` and `HTTP/0.9` through, and they were served as HTTP/1 (until round
 *   56). HTTP/2 is never framed so (RFC 9113 §3), and HTTP/0.9 has no headers. 400, not 505:
 *   the client must not retry it as a server error, and Node's own refusal of HTTP/1.2 is a
 *   400 too.
 * - A `Transfer-Encoding` other than `chunked` alone (transfer-coding.ts).
 * - No `Host` (HTTP/1.1), or two: Node keeps the first, and a proxy may have routed by the
 *   other (RFC 9112 §3.2: 400).
 */
import type { IncomingMessage } from 'node:http';
import { protocolError, type ErrorReply } from './errors.ts';
import { transferCodingRefusal } from './transfer-coding.ts';

/** The refusal of a request framed so, or null. */
export function framingRefusal(raw: IncomingMessage): ErrorReply | null {
  if (raw.httpVersion !== '1.1' && raw.httpVersion !== '1.0') {
    return protocolError('invalid_request', 'the HTTP version is not supported; use HTTP/1.1');
  }
  const coding = transferCodingRefusal(raw.headers, raw.httpVersion);
  if (coding !== null) return coding;
  if (raw.headers.host === undefined && raw.httpVersion !== '1.0') return protocolError('invalid_request', 'the request has no Host header');
  if ((raw.headersDistinct.host?.length ?? 0) > 1) return protocolError('invalid_request', 'the request has more than one Host header');
  return null;
}
