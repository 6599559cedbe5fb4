/**
 * A `POST /v1/sync` body from bytes to a validated request: UTF-8, JSON, then the protocol's
 * checks (`parseSyncRequest`). Pure and synchronous, so that it runs the same on the event
 * loop (small bodies) and in a parse worker (large ones). Throws ProtocolError.
 */
import { ProtocolError, parseSyncRequest } from 'fieldsync/server';

export function parseBody(body: Uint8Array): ReturnType<typeof parseSyncRequest> {
  if (body.length === 0) throw new ProtocolError('invalid_request', 'the body is empty');
  let value: unknown;
  try {
    // Plain JSON.parse: a message value may be any JSON value, `{"__proto__": ...}` included,
    // and JSON.parse makes such keys plain own properties.
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw new ProtocolError('invalid_request', 'the body is not valid JSON');
  }
  return parseSyncRequest(value);
}
