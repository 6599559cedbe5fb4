/**
 * How a browser proves it is the one the launcher opened, and why no cookie is involved.
 *
 * Cookies are not isolated by port, and `SameSite` treats every port of 127.0.0.1 as one
 * site: any server another local user runs on 127.0.0.1 receives every cookie of ours the
 * moment the user's browser loads one of its pages. So nothing here is a cookie:
 *
 * 1. The host makes a **one-time sign-in code** (it expires, too) and prints the URL
 *    `/login?code=…` to whoever started it (the launcher's terminal, never a page).
 * 2. `/login` serves the app shell, which holds no secret. The page's bridge reads the code,
 *    takes it out of the address bar at once, and redeems it over the WebSocket for a
 *    **session** `{ id, secret }`: random, made by this host run, kept in its memory only
 *    (a restart forgets every session: nothing stolen outlives the run), a bounded number,
 *    each with an expiry.
 * 3. The page keeps the session in storage scoped to its origin (port included), and every
 *    connection authenticates both ways by challenge-response over it (ws-api.ts): the
 *    secret never crosses the socket again, and the page never talks to a host that cannot
 *    prove it holds the session (another program squatting the port of a stopped host).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { proofMessage } from '../shared/ws-protocol.ts';

/** The path a sign-in link opens: the app shell, whose bridge redeems the code. */
export const LOGIN_PATH = '/login';
/** Its query parameter. */
export const LOGIN_CODE_PARAM = 'code';

/** A sign-in link: `http://127.0.0.1:PORT/login?code=…` (the host's and the viewer's). */
export function loginLink(origin: string, code: string): string {
  return `${origin}${LOGIN_PATH}?${LOGIN_CODE_PARAM}=${encodeURIComponent(code)}`;
}

/** How long a sign-in link works, at most (it works once, too). */
export const CODE_TTL_MS = 15 * 60_000;
/** Sign-in links outstanding at once; making one more retires the oldest. */
export const MAX_CODES = 8;
/** How long a session lasts after it was made, at most (and never past the host's run). */
export const SESSION_TTL_MS = 24 * 60 * 60_000;
/** Sessions at once (browsers signed in); one more retires the oldest. */
export const MAX_SESSIONS = 32;

/** 32 random bytes, base64url: codes, session ids, secrets and nonces. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (hashing both first, so that their lengths do not leak either). */
export function keysMatch(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A proof of holding `secret` for `role` over both nonces: HMAC-SHA256, hex (the page computes the same with WebCrypto). */
export function handshakeProof(secret: string, role: 'host' | 'page', pageNonce: string, hostNonce: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(proofMessage(role, pageNonce, hostNonce)).digest('hex');
}

interface Clock {
  readonly now?: () => number;
}

export interface LoginCodes {
  /** A new one-time code. */
  issue(): string;
  /** Whether `code` is an outstanding, unexpired code; it is used up either way it matched. */
  redeem(code: unknown): boolean;
  /** Whether `code` is outstanding and unexpired, without using it up (an upgrade's claim, ws-api.ts). */
  valid(code: unknown): boolean;
  readonly outstanding: number;
}

/** One-time, expiring codes, kept in memory only (a restart issues new ones). */
export function createLoginCodes(options: Clock & { readonly max?: number; readonly ttlMs?: number } = {}): LoginCodes {
  const max = options.max ?? MAX_CODES;
  const ttlMs = options.ttlMs ?? CODE_TTL_MS;
  const now = options.now ?? Date.now;
  let codes: { code: string; expires: number }[] = [];
  const prune = (): void => {
    const t = now();
    codes = codes.filter((c) => c.expires > t);
  };
  /** The index of `code` among the outstanding ones, or -1; every one is compared, in constant time. */
  const find = (code: unknown): number => {
    prune();
    if (typeof code !== 'string') return -1;
    let at = -1;
    codes.forEach((c, i) => {
      if (keysMatch(code, c.code)) at = i;
    });
    return at;
  };
  return {
    issue() {
      prune();
      const code = randomToken();
      codes.push({ code, expires: now() + ttlMs });
      if (codes.length > max) codes.shift(); // the oldest link stops working
      return code;
    },
    redeem(code) {
      const at = find(code);
      if (at === -1) return false;
      codes.splice(at, 1);
      return true;
    },
    valid: (code) => find(code) !== -1,
    get outstanding() {
      prune();
      return codes.length;
    },
  };
}

export interface Session {
  readonly id: string;
  readonly secret: string;
}

export interface Sessions {
  /** A new session (for a redeemed code). */
  create(): Session;
  /** The secret of a live session, or null (unknown, expired, or retired). */
  secret(id: unknown): string | null;
  readonly size: number;
}

/** The sessions of this host run: in memory only, bounded, expiring. */
export function createSessions(options: Clock & { readonly max?: number; readonly ttlMs?: number } = {}): Sessions {
  const max = options.max ?? MAX_SESSIONS;
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  // Insertion-ordered: the first entry is the oldest.
  const sessions = new Map<string, { secret: string; expires: number }>();
  const prune = (): void => {
    const t = now();
    for (const [id, s] of sessions) if (s.expires <= t) sessions.delete(id);
  };
  return {
    create() {
      prune();
      const session = { id: randomToken(), secret: randomToken() };
      sessions.set(session.id, { secret: session.secret, expires: now() + ttlMs });
      while (sessions.size > max) sessions.delete(sessions.keys().next().value as string);
      return session;
    },
    secret(id) {
      prune();
      if (typeof id !== 'string') return null;
      return sessions.get(id)?.secret ?? null;
    },
    get size() {
      prune();
      return sessions.size;
    },
  };
}
