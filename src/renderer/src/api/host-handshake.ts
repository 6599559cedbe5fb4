/**
 * The page's side of the browser host's handshake (src/shared/ws-protocol.ts; the host's side
 * is src/web-host/ws-api.ts). Pure, and WebCrypto only (`globalThis.crypto.subtle`: a page on
 * http://127.0.0.1 is a secure context, and Node has it too), so it is tested in Node against
 * a real host and a fake one.
 *
 * The page never sends a call before the host has proved that it holds the page's session:
 * a program that took the port of a stopped host (any local user can) gets a session id and a
 * nonce, neither of which opens anything, and the page stops there.
 */
import { isProof, isToken, proofMessage, type WsHandshakeClientFrame, type WsRefusal } from '../../../shared/ws-protocol.ts';

export interface StoredSession {
  readonly id: string;
  readonly secret: string;
}

/** Where the page keeps its session. */
export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession): void;
  clear(): void;
}

export const SESSION_STORAGE_KEY = 'fieldsync-host-session';

/**
 * The session in `localStorage`, which is scoped to the page's origin, port included: no other
 * instance or local server sees it (unlike a cookie). `localStorage` rather than
 * `sessionStorage` because the one-screen viewer's frames and other tabs of the instance (its
 * "open on its own" link) must find the session after a reload or in a new tab. The risk that
 * choice weighs: whoever serves a page on this origin later (a squatter on the port of a
 * stopped host) can read it. What it finds is dead: a session lives in the memory of the host
 * run that made it, which ended when the port came free, and a new run never knows it.
 */
export function localSessionStore(storage: Storage | null | undefined, key = SESSION_STORAGE_KEY): SessionStore {
  return {
    load() {
      try {
        const value = JSON.parse(storage?.getItem(key) ?? 'null') as Partial<StoredSession> | null;
        return value && isToken(value.id) && isToken(value.secret) ? { id: value.id, secret: value.secret } : null;
      } catch {
        return null;
      }
    },
    save(session) {
      try {
        storage?.setItem(key, JSON.stringify({ id: session.id, secret: session.secret }));
      } catch {
        // Storage refused (full, disabled): the session lasts as long as this page.
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {
        // nothing to do
      }
    },
  };
}

/** A store in memory only (tests, or where storage is unavailable). */
export function memorySessionStore(initial: StoredSession | null = null): SessionStore {
  let session = initial;
  return {
    load: () => session,
    save: (s) => void (session = s),
    clear: () => void (session = null),
  };
}

const toBase64Url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** 32 random bytes, base64url. */
export function randomNonce(): string {
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** HMAC-SHA256 of `message` under `secret` (its UTF-8 bytes), lowercase hex: what the host computes with node:crypto. */
export async function hmacHex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await globalThis.crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two proofs without stopping at the first difference. */
function sameProof(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Why a page stops for good (it does not reconnect):
 * - `not-signed-in`: no sign-in code and no session (opened at its plain address in a new browser);
 * - `code-refused`: its sign-in link was used already, or expired, and it has no session;
 * - `session-refused`: the host does not know its session: a restarted host, or an expired session;
 * - `host-unproven`: whatever answers at the page's address cannot prove it holds the session.
 */
export type HandshakeFailure = 'not-signed-in' | 'code-refused' | 'session-refused' | 'host-unproven';

export const HANDSHAKE_MESSAGES: Readonly<Record<HandshakeFailure, string>> = {
  'not-signed-in':
    'This page is not signed in to its instance. Open the sign-in link printed where it was started (npm run start:web); a link works once, within 15 minutes.',
  'code-refused':
    'This sign-in link was used already or has expired. Open a new sign-in link from where the instance was started (npm run start:web).',
  'session-refused':
    'This instance was restarted or is no longer at this address: open a new sign-in link from where it was started (npm run start:web).',
  'host-unproven':
    'This instance was restarted or is no longer at this address: open a new sign-in link from where it was started (npm run start:web).',
};

export type HandshakeStep =
  /** Send this frame and wait for the next one. */
  | { readonly kind: 'send'; readonly frame: WsHandshakeClientFrame }
  /** Signed in both ways: calls may go. */
  | { readonly kind: 'ready' }
  /** A used code, but a stored session: connect again (a new socket), with the session. */
  | { readonly kind: 'retry' }
  /** Stop for good, and say why. */
  | { readonly kind: 'fail'; readonly failure: HandshakeFailure };

export interface PageHandshake {
  /** The first frame on a new socket, or why there is none to send. */
  start(): HandshakeStep;
  /** The next step after the host's frame (the parsed JSON). */
  receive(frame: unknown): Promise<HandshakeStep>;
}

/**
 * One socket's handshake. `code` is the sign-in code this page was opened with, if any; it
 * is redeemed once (`codeUsed` tells the bridge so it never sends it again), and the session
 * it yields is saved in `store`.
 */
export function createPageHandshake(options: { readonly code: string | null; readonly store: SessionStore; readonly nonce?: () => string; readonly onCodeUsed?: () => void }): PageHandshake {
  const nonce = options.nonce ?? randomNonce;
  let step: 'start' | 'redeeming' | 'hello' | 'auth' | 'done' = 'start';
  let session: StoredSession | null = null;
  let pageNonce = '';

  const hello = (s: StoredSession): HandshakeStep => {
    session = s;
    pageNonce = nonce();
    step = 'hello';
    return { kind: 'send', frame: { hello: { session: s.id, nonce: pageNonce } } };
  };
  const fail = (failure: HandshakeFailure): HandshakeStep => {
    step = 'done';
    return { kind: 'fail', failure };
  };
  /** The host does not know our session: drop it from storage (unless another tab stored a newer one). */
  const forget = (): HandshakeStep => {
    if (options.store.load()?.id === session?.id) options.store.clear();
    return fail('session-refused');
  };

  return {
    start() {
      if (options.code !== null) {
        step = 'redeeming';
        return { kind: 'send', frame: { redeem: { code: options.code } } };
      }
      const stored = options.store.load();
      return stored ? hello(stored) : fail('not-signed-in');
    },
    async receive(frame) {
      const f = (typeof frame === 'object' && frame !== null ? frame : {}) as Record<string, unknown>;
      const refused = (f.refused as { reason?: WsRefusal } | undefined)?.reason;
      if (step === 'redeeming') {
        options.onCodeUsed?.();
        const s = f.session as Partial<StoredSession> | undefined;
        if (s && isToken(s.id) && isToken(s.secret)) {
          options.store.save({ id: s.id, secret: s.secret });
          return hello({ id: s.id, secret: s.secret });
        }
        if (refused === 'code') {
          step = 'done';
          // A used link opened again in a browser it signed in: that browser needs no link.
          return options.store.load() ? { kind: 'retry' } : fail('code-refused');
        }
        return fail('host-unproven');
      }
      if (step === 'hello') {
        if (refused === 'session') return forget();
        const c = f.challenge as { nonce?: unknown; proof?: unknown } | undefined;
        if (!session || !c || !isToken(c.nonce) || !isProof(c.proof)) return fail('host-unproven');
        const hostNonce = c.nonce;
        const expected = await hmacHex(session.secret, proofMessage('host', pageNonce, hostNonce));
        // A host that cannot prove it holds our session gets nothing, not even our proof.
        if (!sameProof(expected, c.proof)) return fail('host-unproven');
        step = 'auth';
        return { kind: 'send', frame: { auth: { proof: await hmacHex(session.secret, proofMessage('page', pageNonce, hostNonce)) } } };
      }
      if (step === 'auth') {
        if (f.ready === true) {
          step = 'done';
          return { kind: 'ready' };
        }
        return fail('host-unproven');
      }
      return fail('host-unproven');
    },
  };
}
