/**
 * `parseSyncBody(text)`: a `POST /v1/sync` body from its text to the validated request, with
 * the protocol's parse-cost bound applied before JSON.parse (docs/protocol.md §5, "Parse
 * cost"). Round 63: until then a server built on the sync handler parsed bodies itself, and
 * docs/api.md told it to count brackets as the reference server does; a server that did not
 * spent seconds of its event loop on a 4 MiB body of empty arrays. Now the bound is one call,
 * and the reference server's ingest (server/ingest/parse-body.ts) makes the same call.
 */
import { invalidArgument } from '../errors.ts';
import { MAX_REQUEST_CONTAINERS, ProtocolError, parseSyncRequest } from '../protocol.ts';
import { overContainerBound } from './container-bound.ts';

/**
 * The request in `text`, validated as `parseSyncRequest` validates it: what `handler.validated`
 * takes, so the handler does not validate it again. Throws the handler's own ProtocolErrors,
 * so a server answers them as it answers the handler's: `invalid_request` (empty, not JSON,
 * not a request), `invalid_message`, and `payload_too_large` for a body over
 * MAX_REQUEST_CONTAINERS, which is never parsed. Anything but a string is a ValidationError:
 * a Buffer or a parsed object would skip the bound, or be counted wrong.
 */
export function parseSyncBody(text: string): ReturnType<typeof parseSyncRequest> {
  if (typeof text !== 'string') throw invalidArgument('parseSyncBody(text) takes the body as a string (its UTF-8 decoded)');
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
