/**
 * The browser host's wire format: the `AppApi` over one WebSocket, the same calls and
 * envelopes as Electron's IPC (see `app-api.ts`). Every frame is one JSON text message.
 *
 *   page → host   { id, method, args }      one call; `id` is the page's, echoed back
 *   host → page   { id, envelope }          its answer (always an Envelope, never a throw)
 *   host → page   { event }                 an AppEvent, pushed to every page of the instance
 *
 * The page learns where its host is from `<meta name="fieldsync-host" content="ws://…">`,
 * which the host writes into the index.html it serves (no inline script: the CSP forbids it).
 */
import type { AppEvent, Envelope } from './app-api.ts';

/** The WebSocket endpoint's path on the host. */
export const WS_API_PATH = '/api';
/** The query parameter that carries the instance's key. */
export const WS_KEY_PARAM = 'key';
/** The `<meta name>` that tells a page served by the browser host where its API is. */
export const HOST_META_NAME = 'fieldsync-host';
/** The largest frame either side accepts. A title is at most 100,000 characters on the wire. */
export const WS_MAX_FRAME_BYTES = 1024 * 1024;
/** The largest request id: ids are small non-negative integers counted by the page. */
export const WS_MAX_ID = Number.MAX_SAFE_INTEGER;

export interface WsRequest {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface WsReply {
  readonly id: number;
  readonly envelope: Envelope;
}

export interface WsEventFrame {
  readonly event: AppEvent;
}

export type WsServerFrame = WsReply | WsEventFrame;

/** A request id the host accepts and echoes back. */
export function isRequestId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id <= WS_MAX_ID;
}
