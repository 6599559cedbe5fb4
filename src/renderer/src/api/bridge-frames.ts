/**
 * The frames of the browser host's WebSocket, as the page's bridge (ws-bridge.ts) writes and
 * reads them, and the failures it answers with. Pure: the connection's life is the bridge's.
 *
 * - A call goes out as `{ id, method, args }`, at most `WS_MAX_FRAME_BYTES` of UTF-8.
 * - What comes back is `{ id, envelope }` (a call's answer) or `{ event }` (for every listener).
 *   Anything else is dropped; an answer whose envelope is malformed fails its call, because
 *   the call would otherwise wait for its timeout.
 */
import { utf8Length } from 'fieldsync';
import type { AppEvent, Envelope, SyncView } from '../../../shared/app-api.ts';
import { WS_MAX_FRAME_BYTES } from '../../../shared/ws-protocol.ts';

export const BRIDGE_MESSAGES = {
  lost: 'The connection to this instance was lost before it answered. Check whether the change was made, and try again.',
  timeout: 'This instance did not answer in time. Try again.',
  closed: 'The connection to this instance is closed. Reload the page.',
  busy: 'Too many calls are waiting for the connection to this instance. Try again in a moment.',
  tooBig: 'That is too large to send.',
  unsendable: 'Those arguments cannot be sent.',
  malformed: 'This instance sent an answer the page does not understand.',
  reconnecting: 'Lost the connection to this instance. Reconnecting…',
  refused: 'This browser refuses to open a connection to this instance, and would each time: open the sign-in link in another browser, or start the instance on another port.',
} as const;

export const failure = (code: 'internal' | 'invalid_argument', message: string): Envelope => ({ ok: false, error: { code, message } });

/** What the sync panel shows when the bridge stopped before it ever had a status. */
export const NO_SYNC: SyncView = {
  state: 'error',
  online: true,
  configured: true,
  pending: 0,
  unsentItems: 0,
  rejected: 0,
  lastSyncAt: null,
  cursor: 0,
  error: null,
  nextRetryAt: null,
  device: '',
  network: { latencyMs: 0, dropRate: 0 },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isEnvelope(v: unknown): v is Envelope {
  if (!isObject(v)) return false;
  if (v.ok === true) return true;
  return v.ok === false && isObject(v.error) && typeof v.error.code === 'string' && typeof v.error.message === 'string';
}

/** A call's frame, or the failure that answers it at once (it cannot be encoded, or is too large). */
export function encodeCall(id: number, method: string, args: readonly unknown[]): string | Envelope {
  let frame: string;
  try {
    frame = JSON.stringify({ id, method, args });
  } catch {
    return failure('invalid_argument', BRIDGE_MESSAGES.unsendable);
  }
  // Cheap check first: a UTF-8 byte is at most 3 per UTF-16 unit.
  if (frame.length * 3 > WS_MAX_FRAME_BYTES && utf8Length(frame) > WS_MAX_FRAME_BYTES) {
    return failure('invalid_argument', BRIDGE_MESSAGES.tooBig);
  }
  return frame;
}

export type ServerFrame = { readonly event: AppEvent } | { readonly id: number; readonly envelope: Envelope };

/** What a frame from the host says, or null for one to drop (not JSON, or neither shape). */
export function readServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(frame)) return null;
  if ('event' in frame) {
    const event = frame.event;
    const known = isObject(event) && (event.type === 'data' || event.type === 'sync' || event.type === 'replaced' || event.type === 'deletedEdits');
    return known ? { event: event as unknown as AppEvent } : null;
  }
  if (typeof frame.id !== 'number') return null;
  return { id: frame.id, envelope: isEnvelope(frame.envelope) ? frame.envelope : failure('internal', BRIDGE_MESSAGES.malformed) };
}
