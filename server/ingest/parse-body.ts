/**
 * A `POST /v1/sync` body from bytes to a validated request: UTF-8, then the library's
 * `parseSyncBody` (the parse-cost bound, JSON, the protocol's checks), the one a server built
 * on the sync handler calls: one bound for both (round 63). Pure and synchronous, so that it
 * runs the same on the event loop (small bodies) and in a parse worker (large ones). Throws
 * ProtocolError.
 */
import { ProtocolError, parseSyncBody } from 'fieldsync/server';
import type { BodyParts } from './body-parts.ts';

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

export function parseBody(body: Uint8Array | BodyParts): ReturnType<typeof parseSyncBody> {
  let text: string;
  try {
    text = decode(body);
  } catch {
    // Decoded leniently, bytes that are not UTF-8 would become U+FFFD: two row ids that
    // differ only there would be one row, and the second push would overwrite the first.
    throw new ProtocolError('invalid_request', 'the body is not valid UTF-8');
  }
  return parseSyncBody(text); // an empty body too: 'the body is empty'
}
