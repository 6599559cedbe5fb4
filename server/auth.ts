/**
 * Credentials (docs/protocol.md §6): an HS256 JSON Web Token whose `sub` is the user and whose
 * `exp` is its expiry. The algorithm is pinned to HS256, so a token that claims `none` or
 * an asymmetric algorithm (the "alg confusion" attacks) is refused before anything else.
 */
import { SignJWT, jwtVerify } from 'jose';

/** The longest userId (`sub`) accepted: it becomes a database key. */
export const MAX_USER_ID_LENGTH = 256;

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface Authenticator {
  /** The userId of a valid `Authorization` header value; throws AuthError otherwise. */
  verify(authorization: string | undefined): Promise<string>;
  /** A token for `userId` that expires after `ttlSeconds`. */
  sign(userId: string, ttlSeconds: number): Promise<string>;
}

export function createAuthenticator(secret: string, options: { clockToleranceSeconds?: number } = {}): Authenticator {
  const key = new TextEncoder().encode(secret);
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  return {
    async verify(authorization) {
      if (!authorization) throw new AuthError('missing bearer token');
      const match = /^Bearer[ \t]+([A-Za-z0-9_.~+/=-]+)[ \t]*$/i.exec(authorization);
      if (!match) throw new AuthError('the Authorization header must be "Bearer <token>"');
      let payload: { sub?: unknown };
      try {
        ({ payload } = await jwtVerify(match[1] as string, key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'], clockTolerance }));
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new AuthError(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'invalid token');
      }
      const sub = payload.sub;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_USER_ID_LENGTH) {
        throw new AuthError(`invalid token: sub must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`);
      }
      return sub;
    },
    async sign(userId, ttlSeconds) {
      if (userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
        throw new AuthError(`the userId must be 1 to ${MAX_USER_ID_LENGTH} characters`);
      }
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt(now)
        .setExpirationTime(now + Math.max(1, Math.floor(ttlSeconds)))
        .sign(key);
    },
  };
}
