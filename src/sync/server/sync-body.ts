/**
 * `parseSyncBody(body)`: a `POST /v1/sync` body, its bytes or its text, to the validated
 * request, with the protocol's parse-cost bound applied before JSON.parse (docs/protocol.md
 * §5, "Parse cost"). Round 63: until then a server built on the sync handler parsed bodies
 * itself, and docs/api.md told it to count brackets as the reference server does; a server
 * that did not spent seconds of its event loop on a 4 MiB body of empty arrays. Now the bound
 * is one call, and the reference server's ingest (server/ingest/parse-body.ts) makes the same
 * call, with the bytes: the strict UTF-8 decoding is here too, one for both (round 63).
 */
import { invalidArgument } from '../errors.ts';
import { MAX_REQUEST_CONTAINERS, ProtocolError, parseSyncRequest } from '../protocol.ts';
import { joinBytes } from '../join-bytes.ts';
import { overContainerBound } from './container-bound.ts';

/** A body's bytes: one buffer (Node's Buffer is one), or the chunks it arrived in, in order. */
type SyncBodyBytes = Uint8Array | readonly Uint8Array[];

const isBytes = (body: unknown): body is SyncBodyBytes =>
  body instanceof Uint8Array || (Array.isArray(body) && body.every((part) => part instanceof Uint8Array));

/** Past this many chunks a body is joined before it is decoded (decode, below). */
const MANY_CHUNKS = 64;

/**
 * The text of `body`, decoded strictly. Decoded leniently (`req.setEncoding('utf8')`,
 * `buffer.toString()`), bytes that are not UTF-8 become U+FFFD: two row ids that differ only
 * there would be one row, and the second push would overwrite the first. `fatal` throws
 * instead. A BOM is kept (`ignoreBOM`), so JSON.parse refuses it, as the reference server
 * always has. A few chunks are decoded one after another, not joined (a character may span
 * two; the reference server hands a large body's chunks to a worker as they arrived), by a
 * decoder of the body's own, so what a stream holds between chunks belongs to one body only;
 * many are joined first (MANY_CHUNKS).
 */
function decode(body: SyncBodyBytes): string {
  // Every server runtime has one; React Native (a client) may not, and there a lenient
  // fallback would bring the bug back, so the caller is told.
  if (typeof TextDecoder !== 'function') {
    throw invalidArgument('parseSyncBody: this runtime has no TextDecoder to decode the bytes; pass the body as a string from a decoder that refuses what is not UTF-8');
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    if (body instanceof Uint8Array) return decoder.decode(body);
    // Many small chunks (a sender's few bytes a segment, or a caller's own split): decoded one
    // by one they cost a call and a rope of strings each, 4 MiB in 1-byte chunks 7.9 s and
    // 186 MB of heap at load 16 (round 64). Joined, one copy and one decoding.
    if (body.length > MANY_CHUNKS) return decoder.decode(joinBytes(body));
    let text = '';
    for (const part of body) text += decoder.decode(part, { stream: true });
    return text + decoder.decode(); // throws on a character left incomplete at the end
  } catch {
    throw new ProtocolError('invalid_request', 'the body is not valid UTF-8');
  }
}

/**
 * The request in `body`, validated as `parseSyncRequest` validates it: what
 * `handler.validated` takes, so the handler does not validate it again. `body` is best its
 * bytes, as they arrived (a Uint8Array or Buffer, or an array of the chunks): they are decoded
 * here, strictly. A string is taken too, decoded already (by a decoder that refused what is
 * not UTF-8, or it may hold U+FFFD where the client sent other bytes). Throws the handler's
 * own ProtocolErrors, so a server answers them as it answers the handler's: `invalid_request`
 * (not UTF-8, empty, not JSON, not a request), `invalid_message`, and `payload_too_large` for a
 * body over MAX_REQUEST_CONTAINERS, which is never parsed. Anything else (a parsed object,
 * which would skip the bound) is a ValidationError.
 */
export function parseSyncBody(body: SyncBodyBytes | string): ReturnType<typeof parseSyncRequest> {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (isBytes(body)) text = decode(body);
  else throw invalidArgument('parseSyncBody(body) takes the body as its bytes (a Uint8Array, or an array of them in order) or as a string');
  if (text.length === 0) throw new ProtocolError('invalid_request', 'the body is empty');
  // Before JSON.parse, whose cost is in the arrays, objects and keys it makes (container-bound.ts).
  if (overContainerBound(text)) {
    throw new ProtocolError('payload_too_large', `the body holds more than ${MAX_REQUEST_CONTAINERS} JSON arrays, objects and object members; send its messages in smaller requests`);
  }
  let value: unknown;
  try {
    // Plain JSON.parse: a message value may be any JSON value, `{"__proto__": ...}` included,
    // and JSON.parse makes such keys plain own properties.
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('invalid_request', 'the body is not valid JSON');
  }
  return parseSyncRequest(value);
}
