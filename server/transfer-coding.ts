/**
 * `Transfer-Encoding` on a request (RFC 9112 §6.1, docs/protocol.md §5). Node's parser frames a
 * body by the last transfer coding when it is `chunked`, and leaves any coding before it to the
 * application: `Transfer-Encoding: gzip, chunked` (or `gzip` and `chunked` in two headers) had
 * its chunks joined and the gzip bytes under them read as plain JSON, and `identity, chunked`
 * was taken too. A proxy in front that decodes the coding sees another body than the server.
 * The server decodes no transfer coding but chunked: any other is refused with 501, as the RFC
 * says, before the body is read (and its connection then closed, as any refusal of a chunked
 * body: refuse-before-body.ts). Compression belongs in `Content-Encoding` (compression.ts).
 *
 * And an HTTP/1.0 request with `Transfer-Encoding`, which Node read as chunked: HTTP/1.0 has
 * no transfer codings, so a server MUST take its framing as faulty (RFC 9112 §6.1); a
 * proxy that speaks 1.0 would read the same bytes as another request: 400, connection closed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorReply } from './errors.ts';

const refusal = (status: number, message: string): ErrorReply => ({ status, body: { error: { code: 'invalid_request', message } }, internal: false });

/** The refusal of a request whose `Transfer-Encoding` the server does not take, or null. */
export function transferCodingRefusal(headers: IncomingHttpHeaders, httpVersion: string): ErrorReply | null {
  const header = headers['transfer-encoding'];
  if (header === undefined) return null;
  if (httpVersion === '1.0') return refusal(400, 'an HTTP/1.0 request must not have a Transfer-Encoding');
  const value = Array.isArray(header) ? header.join(', ') : header;
  const codings = value.split(',').map((c) => c.trim().toLowerCase());
  if (codings.length === 1 && codings[0] === 'chunked') return null;
  // The value is not quoted: the message goes to the log line too.
  return refusal(501, 'a Transfer-Encoding other than chunked alone is not supported; compress a body with Content-Encoding');
}
