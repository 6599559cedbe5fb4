/**
 * A `POST /v1/sync` body from bytes to a validated request: UTF-8, JSON, then the protocol's
 * checks (`parseSyncRequest`). Pure and synchronous, so that it runs the same on the event
 * loop (small bodies) and in a parse worker (large ones). Throws ProtocolError.
 */
import { MAX_REQUEST_CONTAINERS, ProtocolError, parseSyncRequest } from 'fieldsync/server';
import { bodyLength, type BodyParts } from './body-parts.ts';
import { overContainerBound } from './container-bound.ts';

// Fatal: bytes that are not UTF-8 are an error. A BOM is kept, so JSON.parse refuses it as before.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of `body`. A body in parts is decoded part by part (a character may span two), by
 * a decoder of its own, so that what a stream holds between parts belongs to one body only.
 */
function decode(body: Uint8Array | BodyParts): string {
  if (body instanceof Uint8Array) return utf8.decode(body);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text = '';
  for (const part of body) text += decoder.decode(part, { stream: true });
  return text + decoder.decode(); // throws on a character left incomplete at the end
}

export function parseBody(body: Uint8Array | BodyParts): ReturnType<typeof parseSyncRequest> {
  if (bodyLength(body) === 0) throw new ProtocolError('invalid_request', 'the body is empty');
  let text: string;
  try {
    text = decode(body);
  } catch {
    // Decoded leniently, bytes that are not UTF-8 would become U+FFFD: two row ids that
    // differ only there would be one row, and the second push would overwrite the first.
    throw new ProtocolError('invalid_request', 'the body is not valid UTF-8');
  }
  // Before JSON.parse, whose cost is in the arrays and objects it makes (container-bound.ts).
  if (overContainerBound(text)) {
    throw new ProtocolError('payload_too_large', `the body holds more than ${MAX_REQUEST_CONTAINERS} JSON arrays and objects; send its messages in smaller requests`);
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
