/**
 * Credentials (docs/protocol.md §6): an HS256 JSON Web Token whose `sub` is the user and whose
 * `exp` is its expiry. The algorithm is pinned to HS256, so a token that claims `none` or
 * an asymmetric algorithm (the "alg confusion" attacks) is refused before anything else.
 *
 * The signature only proves who wrote the claims; the claims are then judged on their own
 * (see `claimsError`): a `sub` is an account key, so it must be one exact string (no lone
 * surrogates, which both databases would silently turn into U+FFFD and so merge accounts;
 * no control characters), and the times must be real ones (`exp: 1e309` is Infinity, which
 * would never expire; an `iat` in the future is a clock or an issuer gone wrong).
 */
import { SignJWT, compactVerify } from 'jose';
import { proofKey, proofWith } from './server-proof.ts';

/** The longest userId (`sub`) accepted, in UTF-16 code units: it becomes a database key. */
export const MAX_USER_ID_LENGTH = 256;
/** The longest lifetime a token may claim (the token CLI's longest `--ttl`). */
export const MAX_TOKEN_LIFETIME_SECONDS = 3650 * 86_400;
/** How far the issuer's clock may be from ours, in seconds, for `exp`, `nbf` and `iat`. */
export const DEFAULT_CLOCK_LEEWAY_SECONDS = 30;

/** The longest wait a refusal of a token not valid yet names (`Retry-After`); past it, the issuer is wrong, not a clock. */
export const MAX_VALID_WAIT_SECONDS = 86_400;

export class AuthError extends Error {
  /**
   * Seconds until the refused token is accepted, when waiting is all it takes: its `iat` or
   * `nbf` is ahead of the server's clock beyond the leeway (the issuer's clock runs ahead).
   */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'AuthError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Who a valid token speaks for, and until when. */
export interface Identity {
  readonly userId: string;
  /** When the token stops being accepted (its `exp` plus the clock leeway), in ms since the epoch. */
  readonly expiresAtMs: number;
}

export interface Authenticator {
  /** The identity of a valid `Authorization` header value; throws AuthError otherwise. */
  authenticate(authorization: string | undefined): Promise<Identity>;
  /** The userId of a valid `Authorization` header value; throws AuthError otherwise. */
  verify(authorization: string | undefined): Promise<string>;
  /**
   * A token for `userId` that expires after `ttlSeconds`, held between 1 second and the longest
   * lifetime the server accepts (MAX_TOKEN_LIFETIME_SECONDS).
   */
  sign(userId: string, ttlSeconds: number): Promise<string>;
  /**
   * The answer to a `/healthz` challenge that proves this server holds the secret, without
   * revealing it (server-proof.ts). Optional: a server whose authenticator has none answers
   * `/healthz` without a proof.
   */
  prove?(challenge: string): string;
}

export interface AuthenticatorOptions {
  /** Clock leeway in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  /** The server's clock, for tests. */
  readonly now?: () => number;
}

/** Why `sub` cannot be a userId, or null when it can. */
export function userIdError(sub: unknown): string | null {
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_USER_ID_LENGTH) {
    return `sub must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`;
  }
  // Under the `u` flag a lone surrogate is a code point of its own, of category Cs.
  if (/\p{Cs}/u.test(sub)) return 'sub is not well-formed Unicode (it has a lone surrogate)';
  if (/\p{Cc}/u.test(sub)) return 'sub contains a control character';
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * True when `token` is three base64url parts, each as base64url writes it (no padding, no
 * stray low bits): so one token has one spelling, and a denylist or cache keyed by it holds.
 */
function isCanonicalJws(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((p) => p.length > 0 && Buffer.from(p, 'base64url').toString('base64url') === p);
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Why the claims of a correctly signed token are not acceptable at `nowSeconds`, or null. */
export function claimsError(payload: Record<string, unknown>, nowSeconds: number, leewaySeconds: number): string | null {
  const { exp, iat, nbf } = payload;
  if (!isTime(exp)) return 'exp must be a finite time in seconds';
  if (iat !== undefined && !isTime(iat)) return 'iat must be a finite time in seconds';
  if (nbf !== undefined && !isTime(nbf)) return 'nbf must be a finite time in seconds';
  if (exp > nowSeconds + MAX_TOKEN_LIFETIME_SECONDS + leewaySeconds) return 'exp is more than 10 years away';
  // Said with how far ahead: a token refused for a clock is one the operator fixes by setting a
  // clock, not by issuing another token from the same issuer.
  const ahead = (t: number): string => `${Math.ceil(t - nowSeconds)} s ahead of the server's clock, beyond the ${leewaySeconds} s leeway`;
  if (iat !== undefined && iat > nowSeconds + leewaySeconds) return `iat is in the future (${ahead(iat)})`;
  if (exp <= nowSeconds - leewaySeconds) return 'the token has expired';
  if (nbf !== undefined && nbf > nowSeconds + leewaySeconds) return `the token is not valid yet (nbf is ${ahead(nbf)})`;
  return userIdError(payload.sub);
}

/**
 * Seconds from `nowSeconds` until a token refused as not valid yet is accepted, when waiting is
 * all it takes (and it takes at most MAX_VALID_WAIT_SECONDS); null otherwise: a token that
 * expires first, or is refused for anything else, is not made good by waiting.
 */
export function secondsUntilValid(payload: Record<string, unknown>, nowSeconds: number, leewaySeconds: number): number | null {
  const { iat, nbf } = payload;
  const from = Math.max(isTime(iat) ? iat : 0, isTime(nbf) ? nbf : 0) - leewaySeconds;
  const wait = Math.ceil(from - nowSeconds);
  if (!(wait > 0 && wait <= MAX_VALID_WAIT_SECONDS)) return null;
  return claimsError(payload, nowSeconds + wait, leewaySeconds) === null ? wait : null;
}

export function createAuthenticator(secret: string, options: AuthenticatorOptions = {}): Authenticator {
  // Checked here, not only in the server's config: an empty secret would otherwise fail inside
  // the key import below, in a promise nothing awaits yet (an unhandled rejection). How strong
  // a secret must be is the config's call (secret-strength.ts); this is the embedding API.
  if (typeof secret !== 'string' || secret.length === 0) throw new AuthError('the token secret must be a non-empty string');
  // The secret imported once as an HMAC key: jose imports a raw secret again on every call,
  // which was half of the CPU of a verification (68 µs against 30-38 µs; issue 12).
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const proving = proofKey(secret);
  const leeway = options.clockToleranceSeconds ?? DEFAULT_CLOCK_LEEWAY_SECONDS;
  const now = options.now ?? Date.now;

  const authenticate = async (authorization: string | undefined): Promise<Identity> => {
    if (!authorization) throw new AuthError('missing bearer token');
    const match = /^Bearer[ \t]+([A-Za-z0-9_.~+/=-]+)[ \t]*$/i.exec(authorization);
    if (!match) throw new AuthError('the Authorization header must be "Bearer <token>"');
    const token = match[1] as string;
    if (!isCanonicalJws(token)) throw new AuthError('invalid token');
    const nowMs = now();
    let payload: unknown;
    try {
      // jose checks the algorithm and the signature; the claims are all judged below, on our
      // clock (jwtVerify judged some itself, and refused them with no reason given). An
      // unencoded payload (`b64: false`) cannot be a JSON object in the token's alphabet.
      const verified = await compactVerify(token, await key, { algorithms: ['HS256'] });
      payload = JSON.parse(utf8.decode(verified.payload));
    } catch (err) {
      // The most common refusal of a well-formed token: one signed with another secret (a token
      // made for another server, or by `npm run token` with another data dir).
      const forged = (err as { code?: unknown }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
      throw new AuthError(forged ? "invalid token: its signature does not match this server's secret" : 'invalid token');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new AuthError('invalid token: its claims are not a JSON object');
    const claims = payload as Record<string, unknown>;
    const why = claimsError(claims, nowMs / 1000, leeway);
    if (why !== null) {
      throw new AuthError(why === 'the token has expired' ? why : `invalid token: ${why}`, secondsUntilValid(claims, nowMs / 1000, leeway) ?? undefined);
    }
    return { userId: claims.sub as string, expiresAtMs: ((claims.exp as number) + leeway) * 1000 };
  };

  return {
    authenticate,
    prove: (challenge) => proofWith(proving, challenge),
    async verify(authorization) {
      return (await authenticate(authorization)).userId;
    },
    async sign(userId, ttlSeconds) {
      const why = userIdError(userId);
      if (why !== null) throw new AuthError(`the userId is not valid: ${why.replace(/^sub/, 'it')}`);
      if (typeof ttlSeconds !== 'number' || Number.isNaN(ttlSeconds)) throw new AuthError('ttlSeconds must be a number of seconds');
      const t = Math.floor(now() / 1000);
      const ttl = Math.min(MAX_TOKEN_LIFETIME_SECONDS, Math.max(1, Math.floor(ttlSeconds)));
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt(t)
        .setExpirationTime(t + ttl)
        .sign(await key);
    },
  };
}
