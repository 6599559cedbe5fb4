/**
 * The browser host's wire format: the `AppApi` over one WebSocket, the same calls and
 * envelopes as Electron's IPC (see `app-api.ts`). Every frame is one JSON text message.
 *
 *   page → host   { id, method, args }      one call; `id` is the page's, echoed back
 *   host → page   { id, envelope }          its answer (always an Envelope, never a throw)
 *   host → page   { event }                 an AppEvent, pushed to every page of the instance
 *
 * Before any of that, every connection authenticates both ways (see `WsHandshake*` below and
 * docs/security.md, "The browser host"); until then the host answers no call and sends no event.
 *
 * The page learns where its host is from `<meta name="fieldsync-host" content="ws://…">`,
 * which the host writes into the index.html it serves (no inline script: the CSP forbids it).
 */
import type { AppEvent, Envelope } from './app-api.ts';

/** The WebSocket endpoint's path on the host. */
export const WS_API_PATH = '/api';
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

/**
 * The handshake, on every connection, before any call (host: src/web-host/ws-api.ts; page:
 * src/renderer/src/api/host-handshake.ts). A session is `{ id, secret }`, made by the host run
 * that redeemed a one-time sign-in code, kept in its memory only.
 *
 *   page → host   { redeem: { code } }                 optional, first: a one-time sign-in code
 *   host → page   { session: { id, secret } }          the new session, sent this once
 *   page → host   { hello: { session, nonce } }        nonce pn: 32 random bytes, base64url
 *   host → page   { challenge: { nonce, proof } }      nonce hn; proof = HMAC(secret, "host"|pn|hn)
 *   page → host   { auth: { proof } }                  HMAC(secret, "page"|pn|hn), after checking the host's
 *   host → page   { ready: true }                      then calls and events, as above
 *   host → page   { refused: { reason } }              and the host closes: the page stops
 *
 * The secret itself crosses the socket only in `session`, once. Each side proves it holds it
 * over both nonces, with its own label (a page's proof is never a valid host proof).
 */
export type WsRefusal = 'code' | 'session' | 'proof' | 'protocol';

export type WsHandshakeClientFrame =
  | { readonly redeem: { readonly code: string } }
  | { readonly hello: { readonly session: string; readonly nonce: string } }
  | { readonly auth: { readonly proof: string } };

export type WsHandshakeServerFrame =
  | { readonly session: { readonly id: string; readonly secret: string } }
  | { readonly challenge: { readonly nonce: string; readonly proof: string } }
  | { readonly ready: true }
  | { readonly refused: { readonly reason: WsRefusal } };

/** The largest handshake frame the host reads (they are all tiny). */
export const WS_HANDSHAKE_MAX_BYTES = 512;
/** Close code after a refusal: the page must not retry with the same session. */
export const WS_CLOSE_REFUSED = 4401;

/** Nonces, session ids and secrets: 32 bytes, base64url (43 characters). */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** A proof: HMAC-SHA256, lowercase hex. */
export function isProof(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/** What each side signs: its role first, so one side's proof is never the other's. */
export function proofMessage(role: 'host' | 'page', pageNonce: string, hostNonce: string): string {
  return `fieldsync-ws-auth-v1|${role}|${pageNonce}|${hostNonce}`;
}

/**
 * The subprotocol the host answers with when a page offers a claim (a browser fails a socket
 * whose offered subprotocols get no answer).
 */
export const WS_SUBPROTOCOL = 'fieldsync';
const CLAIM_PREFIX = { code: 'fieldsync.code.', session: 'fieldsync.session.' } as const;

/** What a page will name in its first frame: the sign-in code it redeems, or the session it holds. */
export type WsClaim = { readonly kind: 'code' | 'session'; readonly token: string };

/**
 * The subprotocols a page offers with its upgrade (round 60): the claim its first frame will
 * make, so that the host knows the socket as the page's from the upgrade on. Until that first
 * frame (one round trip and the page's own work after the socket opens) it was a silent
 * socket like any other, which a flood of upgrades evicted. A claim opens nothing: the
 * handshake still runs in full.
 */
export function claimProtocols(claim: WsClaim | null): string[] {
  return claim && isToken(claim.token) ? [WS_SUBPROTOCOL, CLAIM_PREFIX[claim.kind] + claim.token] : [];
}

/** The claim in an upgrade's `Sec-WebSocket-Protocol` header, or null. */
export function readClaim(header: string | undefined): WsClaim | null {
  for (const offered of (header ?? '').split(',')) {
    const value = offered.trim();
    for (const kind of ['code', 'session'] as const) {
      const token = value.startsWith(CLAIM_PREFIX[kind]) ? value.slice(CLAIM_PREFIX[kind].length) : null;
      if (token !== null && isToken(token)) return { kind, token };
    }
  }
  return null;
}
