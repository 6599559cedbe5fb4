/**
 * The authenticator at the edges of what it accepts, on a fixed clock: each time claim exactly
 * at the leeway and one second past it, how long a refused token is told to wait, claims that
 * are not an object, a payload that is not UTF-8, and the tokens it signs. Written against the
 * mutants of auth.ts that the HTTP suites (token-claims, auth) left alive.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, MAX_VALID_WAIT_SECONDS, createAuthenticator } from '../auth.ts';
import { SECRET, signRaw } from './helpers/test-server.ts';

const NOW = 1_800_000_000;
const LEEWAY = 30;
const auth = createAuthenticator(SECRET, { now: () => NOW * 1000, clockToleranceSeconds: LEEWAY });

const claims = (c: Record<string, unknown>): string => `Bearer ${signRaw(JSON.stringify({ sub: 'alice', exp: NOW + 600, ...c }))}`;

/** The user, or the refusal's message and how long it says to wait. */
async function outcome(header: string): Promise<string | { message: string; retryAfter: number | undefined }> {
  try {
    return await auth.verify(header);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    expect(err.name).toBe('AuthError');
    return { message: err.message, retryAfter: err.retryAfterSeconds };
  }
}
const refused = (message: string, retryAfter?: number) => ({ message, retryAfter });

describe('the time claims at the leeway', () => {
  it('accepts an iat or an nbf exactly the leeway ahead, and refuses one a second further', async () => {
    expect(await outcome(claims({ iat: NOW + LEEWAY }))).toBe('alice');
    expect(await outcome(claims({ nbf: NOW + LEEWAY }))).toBe('alice');
    expect(await outcome(claims({ iat: NOW + LEEWAY + 1 }))).toEqual(refused(`invalid token: iat is in the future (${LEEWAY + 1} s ahead of the server's clock, beyond the ${LEEWAY} s leeway)`, 1));
    expect(await outcome(claims({ nbf: NOW + LEEWAY + 1 }))).toEqual(refused(`invalid token: the token is not valid yet (nbf is ${LEEWAY + 1} s ahead of the server's clock, beyond the ${LEEWAY} s leeway)`, 1));
  });

  it('refuses an exp exactly the leeway behind, and accepts one a second later', async () => {
    expect(await outcome(claims({ exp: NOW - LEEWAY }))).toEqual(refused('the token has expired'));
    expect(await outcome(claims({ exp: NOW - LEEWAY + 1 }))).toBe('alice');
  });

  it('takes 0 (1970) as a real time', async () => {
    expect(await outcome(claims({ iat: 0, nbf: 0 }))).toBe('alice');
  });
});

describe('how long a refused token is told to wait', () => {
  it('up to a day, to the second; not a second more', async () => {
    const ahead = NOW + LEEWAY + MAX_VALID_WAIT_SECONDS;
    expect((await outcome(claims({ nbf: ahead, exp: ahead + 600 })) as { retryAfter?: number }).retryAfter).toBe(MAX_VALID_WAIT_SECONDS);
    expect((await outcome(claims({ nbf: ahead + 1, exp: ahead + 600 })) as { retryAfter?: number }).retryAfter).toBeUndefined();
  });

  it('never, for a token that has expired, however valid it was before', async () => {
    // Valid from NOW - 200 to NOW - 100: waiting (backwards) is no cure.
    expect(await outcome(claims({ iat: NOW - 200, nbf: NOW - 200, exp: NOW - 100 }))).toEqual(refused('the token has expired'));
  });
});

describe('what a correctly signed token must hold', () => {
  it.each([['null'], ['[]'], ['5'], ['"alice"']])('refuses the claims %s: not a JSON object', async (payload) => {
    expect(await outcome(`Bearer ${signRaw(payload)}`)).toEqual(refused('invalid token: its claims are not a JSON object'));
  });

  it('refuses a payload that is not UTF-8, rather than reading a sub of U+FFFD into it', async () => {
    const payload = Buffer.concat([Buffer.from('{"sub":"alice'), Buffer.from([0xff]), Buffer.from(`","exp":${NOW + 600}}`)]);
    expect(await outcome(`Bearer ${signRaw(payload)}`)).toEqual(refused('invalid token'));
  });

  it('refuses HS384 and HS512, even signed with the same secret: the algorithm is pinned', async () => {
    for (const alg of ['HS384', 'HS512'] as const) {
      const token = signRaw(JSON.stringify({ sub: 'alice', exp: NOW + 600 }), { alg });
      expect(await outcome(`Bearer ${token}`), alg).toEqual(refused('invalid token'));
    }
  });

  it('refuses a token of other than three parts, or with an empty one', async () => {
    const [header, payload, signature] = signRaw(JSON.stringify({ sub: 'alice', exp: NOW + 600 })).split('.') as [string, string, string];
    for (const token of [`${header}.${payload}`, `${header}.${payload}.${signature}.${signature}`, `${header}..${signature}`, `${header}.${payload}.`]) {
      expect(await outcome(`Bearer ${token}`), token.slice(-12)).toEqual(refused('invalid token'));
    }
  });
});

describe('the tokens it signs', () => {
  it('are HS256 JWTs, for the user, issued now', async () => {
    const [header, payload] = (await auth.sign('alice', 60)).split('.') as [string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ sub: 'alice', iat: NOW, exp: NOW + 60 });
  });

  it('are refused for a userId the server would refuse, saying why', async () => {
    await expect(auth.sign('', 60)).rejects.toThrow(new AuthError('the userId is not valid: it must be a string of 1 to 256 characters'));
    await expect(auth.sign('a\uD800', 60)).rejects.toThrow(new AuthError('the userId is not valid: it is not well-formed Unicode (it has a lone surrogate)'));
    await expect(auth.sign('a\u0000', 60)).rejects.toThrow(new AuthError('the userId is not valid: it contains a control character'));
  });
});
