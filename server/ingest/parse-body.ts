/**
 * A `POST /v1/sync` body from bytes to a validated request: the library's `parseSyncBody`,
 * given the bytes (strict UTF-8, the parse-cost bound, JSON, the protocol's checks), the one a
 * server built on the sync handler calls: one decoding and one bound for both (round 63).
 * Pure and synchronous, so that it runs the same on the event loop (small bodies) and in a
 * parse worker (large ones). Throws ProtocolError.
 *
 * Bytes that are not UTF-8 are 400 'the body is not valid UTF-8': decoded leniently they would
 * become U+FFFD, two row ids that differ only there would be one row, and the second push
 * would overwrite the first. A BOM is kept, so JSON.parse refuses it. A body in parts is
 * decoded part by part (a character may span two), never joined (body-parts.ts).
 */
import { parseSyncBody } from 'fieldsync/server';
import type { BodyParts } from './body-parts.ts';

export function parseBody(body: Uint8Array | BodyParts): ReturnType<typeof parseSyncBody> {
  return parseSyncBody(body); // an empty body too: 'the body is empty'
}
