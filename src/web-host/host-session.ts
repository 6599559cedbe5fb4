/**
 * How a browser proves it is the one the launcher opened (issue 11 item 1), as Jupyter's
 * token model does it:
 *
 * 1. The host makes a **one-time sign-in code** and prints the URL `/login?code=…` to
 *    whoever started it (the launcher's terminal, never a page).
 * 2. The browser that opens it exchanges the code, once, for the instance's **session
 *    cookie**: `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page
 *    sends it), and then lands on the clean URL `/`. A used code is worthless.
 * 3. Every page, asset and the WebSocket need that cookie.
 *
 * The cookie is derived from the instance key, which only the host knows (kept 0600 in the
 * profile, or given in FIELDSYNC_HOST_KEY). So a restarted host still accepts the pages it
 * served, and they reconnect by themselves; while a new code is printed for a new browser.
 * Cookies are not isolated by port, so the cookie's name is derived from the key too: the
 * instances of one machine never overwrite each other's cookies in one browser.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The path that exchanges a sign-in code for the cookie. */
export const LOGIN_PATH = '/login';
/** Its query parameter. */
export const LOGIN_CODE_PARAM = 'code';

export interface SessionCookie {
  readonly name: string;
  readonly value: string;
}

/** Compares two secrets in constant time (hashing both first, so that their lengths do not leak either). */
export function keysMatch(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const derive = (key: string, purpose: string): string => createHmac('sha256', key).update(purpose).digest('base64url');

/** The instance's cookie: the same for the same key, different for every other key. */
export function sessionCookie(key: string): SessionCookie {
  return { name: `fieldsync-${derive(key, 'fieldsync web host cookie name v1').slice(0, 16)}`, value: derive(key, 'fieldsync web host session v1') };
}

/** The `Set-Cookie` header value that signs a browser in. */
export function setCookieHeader(cookie: SessionCookie): string {
  // No Max-Age: a session cookie, gone with the browser session. No Secure: plain http on loopback.
  return `${cookie.name}=${cookie.value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** Whether a `Cookie` header carries the instance's cookie (compared in constant time). */
export function hasSessionCookie(header: string | undefined, cookie: SessionCookie): boolean {
  if (!header) return false;
  let found = false;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== cookie.name) continue;
    // Every cookie of that name is checked, without stopping early.
    if (keysMatch(part.slice(eq + 1).trim(), cookie.value)) found = true;
  }
  return found;
}

export interface LoginCodes {
  /** A new one-time code. */
  issue(): string;
  /** Whether `code` is an outstanding code; it is used up either way it matched. */
  redeem(code: string | null): boolean;
  readonly outstanding: number;
}

/** One-time codes, kept in memory only (a restart issues new ones). */
export function createLoginCodes(options: { readonly max?: number } = {}): LoginCodes {
  const max = options.max ?? 16;
  const codes: string[] = [];
  return {
    issue() {
      const code = randomBytes(32).toString('base64url');
      codes.push(code);
      if (codes.length > max) codes.shift(); // the oldest link stops working
      return code;
    },
    redeem(code) {
      if (typeof code !== 'string') return false;
      let at = -1;
      codes.forEach((c, i) => {
        if (keysMatch(code, c)) at = i;
      });
      if (at === -1) return false;
      codes.splice(at, 1);
      return true;
    },
    get outstanding() {
      return codes.length;
    },
  };
}
