/**
 * `fieldsync/server`: what a sync server is made of. The wire protocol (`docs/protocol.md`):
 * its shapes, checks, errors and timestamps; the sync handler, `POST /v1/sync` as a function
 * of (user, body); and the server-store contract with an in-memory implementation.
 *
 * ```ts
 * import { ProtocolError, createMemoryServerStore, createSyncHandler, parseSyncBody } from 'fieldsync/server';
 *
 * const handler = createSyncHandler({ store: createMemoryServerStore() });
 * const request = parseSyncBody(bodyBytes); // the body's bytes: strictly UTF-8, bounded, parsed, checked
 * const { response } = await handler.validated(userId, request); // or throws ProtocolError: answer err.status, err.toBody()
 * const { text, type } = answerBody(response); // answer 200, Content-Type: type
 * ```
 */
export { answerBody, checkClockDrift, createSyncHandler } from './sync-handler.ts';
export type { SyncHandler, SyncHandlerOptions, SyncOutcome, ValidatedOptions } from './sync-handler.ts';
export { parseSyncBody } from './sync-body.ts';
export { createMemoryServerStore } from './memory-server-store.ts';
export type { MemoryServerStore } from './memory-server-store.ts';
export { newEpoch } from './server-store.ts';
export { checkServerStoreCall } from './store-arguments.ts';
export type { PullOptions, PullResult, PushResult, ServerStore } from './server-store.ts';
export {
  DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_DRIFT_MS, ERROR_STATUS, MAX_ANSWER_BYTES, MAX_REQUEST_CONTAINERS, ProtocolError, findClockDrift, parseSyncRequest,
} from '../protocol.ts';
export { parseSyncResponse } from '../sync-response.ts';
export type { ErrorBody, Poke, SyncRequest, SyncResponse } from '../protocol.ts';
export type { ProtocolErrorCode } from '../errors.ts';
export type { ServerMessage } from '../message.ts';
export { rowError } from '../message.ts';
export { CLIENT_ID_PATTERN, formatHlc, hlcClientId, parseHlc, tryParseHlc } from '../hlc.ts';
export type { Timestamp } from '../hlc.ts';
export { createSseParser } from '../sse.ts';
export { MAX_DELAY_MS } from '../backoff.ts';
export type { SseEvent, SseParser } from '../sse.ts';
