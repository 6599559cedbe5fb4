/**
 * What a correctly signed token may claim: a `sub` that is one exact, printable account key
 * of bounded length, and times that are real (issue 11 items 4 and 7, issue 13 M16).
 * Each refusal is a 401 with a reason the client's operator can act on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type SyncStatus } from 'fieldsync';
import { AuthError, createAuthenticator, MAX_TOKEN_LIFETIME_SECONDS, MAX_USER_ID_LENGTH } from '../auth.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { msg, SECRET, signRaw, signToken, startTestServer, type TestServer } from './helpers/test-server.ts';

const nowS = (): number => Math.floor(Date.now() / 1000);

describe('token claims over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  const sync = async (token: string, clientId = 'A'): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId, cursor: 0, messages: [msg(clientId, 'r', 'v')] }),
    });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    if (res.status === 401) expect(body.error?.code).toBe('unauthorized');
    return { status: res.status, message: body.error?.message ?? '' };
  };

  it.each([
    ['a lone high surrogate', 'alice\uD800'],
    ['a lone low surrogate', '\uDC00alice'],
    ['reversed surrogates', 'al\uDC00\uD800ice'],
  ])('refuses a sub with %s: it would become U+FFFD and share an account', async (_name, sub) => {
    expect(await sync(await signToken({ sub }))).toEqual({ status: 401, message: 'invalid token: sub is not well-formed Unicode (it has a lone surrogate)' });
  });

  it.each([
    ['U+0000 (a 500 on PostgreSQL before)', 'alice\u0000'],
    ['a newline', 'alice\nbob'],
    ['DEL', 'alice\u007f'],
    ['a C1 control', 'alice\u0085'],
  ])('refuses a sub with %s', async (_name, sub) => {
    expect(await sync(await signToken({ sub }))).toEqual({ status: 401, message: 'invalid token: sub contains a control character' });
  });

  it('M16: refuses a sub one character over the length cap, and accepts one at the cap', async () => {
    const over = await sync(await signToken({ sub: 'u'.repeat(MAX_USER_ID_LENGTH + 1) }));
    expect(over).toEqual({ status: 401, message: `invalid token: sub must be a string of 1 to ${MAX_USER_ID_LENGTH} characters` });
    expect((await sync(await signToken({ sub: 'u'.repeat(4096) }))).status).toBe(401);
    const atCap = 'u'.repeat(MAX_USER_ID_LENGTH);
    expect((await sync(await signToken({ sub: atCap }))).status).toBe(200);
    expect((await s.pullAll(atCap)).map((m) => m.value)).toEqual(['v']);
  });

  it('accepts any printable, well-formed sub exactly as it is', async () => {
    for (const sub of ['bob@example.com', 'Zoë 🙂', 'a\u202Eb', '用户']) {
      expect((await sync(await signToken({ sub }))).status).toBe(200);
      expect(await s.pullAll(sub)).toHaveLength(1);
    }
  });

  it('refuses exp = 1e309 (Infinity: a token that would never expire)', async () => {
    expect(await sync(signRaw('{"sub":"inf","exp":1e309}'))).toEqual({ status: 401, message: 'invalid token: exp must be a finite time in seconds' });
    expect(await sync(signRaw(`{"sub":"inf","exp":${nowS() + 3600},"iat":1e309}`))).toEqual({ status: 401, message: 'invalid token: iat must be a finite time in seconds' });
    expect(await sync(signRaw(`{"sub":"inf","exp":${nowS() + 3600},"nbf":-1e309}`))).toEqual({ status: 401, message: 'invalid token: nbf must be a finite time in seconds' });
    expect(await s.pullAll('inf')).toEqual([]);
  });

  it('refuses an exp more than 10 years away', async () => {
    expect(await sync(signRaw(`{"sub":"far","exp":${nowS() + 11 * 365 * 86_400}}`))).toEqual({ status: 401, message: 'invalid token: exp is more than 10 years away' });
  });

  /** A refusal's Retry-After header (null without one). */
  const retryAfter = async (token: string): Promise<string | null> => {
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'A', cursor: 0 }),
    });
    await res.arrayBuffer();
    expect(res.status).toBe(401);
    return res.headers.get('retry-after');
  };

  it('refuses an iat in the future beyond the leeway, says how far, and allows a small skew', async () => {
    // 599 when a second passes between this clock's read and the server's.
    expect(await sync(signRaw(`{"sub":"skew","iat":${nowS() + 600},"exp":${nowS() + 3600}}`))).toEqual({
      status: 401,
      message: expect.stringMatching(/^invalid token: iat is in the future \((599|600) s ahead of the server's clock, beyond the 30 s leeway\)$/),
    });
    expect((await sync(signRaw(`{"sub":"skew","iat":${nowS() + 10},"exp":${nowS() + 3600}}`))).status).toBe(200);
  });

  it('refuses an nbf in the future beyond the leeway, and allows a small skew', async () => {
    expect(await sync(signRaw(`{"sub":"early","nbf":${nowS() + 600},"exp":${nowS() + 3600}}`))).toEqual({
      status: 401,
      message: expect.stringMatching(/^invalid token: the token is not valid yet \(nbf is (599|600) s ahead of the server's clock, beyond the 30 s leeway\)$/),
    });
    expect((await sync(signRaw(`{"sub":"early","nbf":${nowS() + 10},"exp":${nowS() + 3600}}`))).status).toBe(200);
    expect((await s.pullAll('early')).map((m) => m.value)).toEqual(['v']);
  });

  it('a token that only has to wait says until when (Retry-After): its issuer\'s clock runs ahead', async () => {
    // Valid 570 s from now (600 s ahead, less the 30 s leeway); a second may pass between the two clocks' reads.
    const iat = Number(await retryAfter(signRaw(`{"sub":"wait","iat":${nowS() + 600},"exp":${nowS() + 3600}}`)));
    expect(iat).toBeGreaterThanOrEqual(569);
    expect(iat).toBeLessThanOrEqual(571);
    const nbf = Number(await retryAfter(signRaw(`{"sub":"wait","iat":${nowS()},"nbf":${nowS() + 900},"exp":${nowS() + 3600}}`)));
    expect(nbf).toBeGreaterThanOrEqual(869);
    expect(nbf).toBeLessThanOrEqual(871);
  });

  it('a client whose token\'s issuer runs 32 s ahead syncs by itself once the token is good, without the app', async () => {
    const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
    const token = signRaw(`{"sub":"ahead","iat":${nowS() + 32},"exp":${nowS() + 3600}}`); // good in 2 to 3 s
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: s.url, token }), intervalMs: 0, retry: { initialMs: 100, maxMs: 200 },
    });
    const states: SyncStatus['state'][] = [];
    client.on('status', (st) => states.push(st.state));
    await client.set('todos', 't', 'title', 'x');
    await expect.poll(() => client.status.pending, { timeout: 10_000, interval: 100 }).toBe(0);
    expect(states).toContain('error'); // refused first, with a time to retry at
    expect(states).not.toContain('unauthorized');
    expect(client.status).toMatchObject({ state: 'idle', error: null });
    expect((await s.pullAll('ahead')).map((m) => m.value)).toEqual(['x']);
    await client.close();
  });

  it('no Retry-After when waiting does not make the token good', async () => {
    // It expires before it becomes valid; it is valid only after more than a day; it expired; a bad sub too.
    expect(await retryAfter(signRaw(`{"sub":"never","iat":${nowS() + 600},"exp":${nowS() + 500}}`))).toBeNull();
    expect(await retryAfter(signRaw(`{"sub":"never","nbf":${nowS() + 2 * 86_400},"exp":${nowS() + 3 * 86_400}}`))).toBeNull();
    expect(await retryAfter(signRaw(`{"sub":"never","exp":${nowS() - 3600}}`))).toBeNull();
    expect(await retryAfter(signRaw(`{"sub":"bad\\u0000","iat":${nowS() + 600},"exp":${nowS() + 3600}}`))).toBeNull();
    expect(await retryAfter(signRaw(`{"sub":"never","exp":${nowS() + 3600}}`, { secret: 'another secret of at least thirty-two chars' }))).toBeNull();
  });

  it('refuses a negative time: before 1970 is an issuer gone wrong, not a real one', async () => {
    expect(await sync(signRaw(`{"sub":"neg","iat":-1,"exp":${nowS() + 3600}}`))).toEqual({ status: 401, message: 'invalid token: iat must be a finite time in seconds' });
    expect(await sync(signRaw(`{"sub":"neg","nbf":-1,"exp":${nowS() + 3600}}`))).toEqual({ status: 401, message: 'invalid token: nbf must be a finite time in seconds' });
    expect(await s.pullAll('neg')).toEqual([]);
  });

  it('says which claim is missing or of the wrong type (jose refused these with "invalid token" alone)', async () => {
    const exp = nowS() + 3600;
    const cases: [string, string][] = [
      ['{"sub":"a"}', 'exp must be a finite time in seconds'],
      ['{"sub":"a","exp":null}', 'exp must be a finite time in seconds'],
      [`{"sub":"a","exp":"${exp}"}`, 'exp must be a finite time in seconds'],
      ['{"sub":"a","exp":-1e309}', 'exp must be a finite time in seconds'],
      [`{"exp":${exp}}`, `sub must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`],
      [`{"sub":"a","exp":${exp},"iat":"x"}`, 'iat must be a finite time in seconds'],
      [`{"sub":"a","exp":${exp},"nbf":"x"}`, 'nbf must be a finite time in seconds'],
      [`[{"sub":"a","exp":${exp}}]`, 'its claims are not a JSON object'],
      ['"a"', 'its claims are not a JSON object'],
    ];
    for (const [payload, why] of cases) expect(await sync(signRaw(payload)), payload).toEqual({ status: 401, message: `invalid token: ${why}` });
    expect(await sync(signRaw('{"sub":'))).toEqual({ status: 401, message: 'invalid token' });
    // Well formed, signed with another secret (a token made for another server): said so.
    expect(await sync(signRaw(`{"sub":"a","exp":${exp}}`, { secret: 'another-secret-that-is-long-enough-0123456789' }))).toEqual({ status: 401, message: "invalid token: its signature does not match this server's secret" });
    expect(await s.pullAll('a')).toEqual([]);
  });

  it('accepts each token in one spelling only: no padding, no stray bits in the last character', async () => {
    const token = signRaw(`{"sub":"spelled","exp":${nowS() + 3600}}`);
    expect((await sync(token)).status).toBe(200);
    // An HS256 signature is 32 bytes: 43 characters, whose last carries 2 bits that decode to nothing.
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(Buffer.from(token.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    for (const variant of [token.slice(0, -1) + sibling, `${token}=`, token.replace('.', '=.')]) {
      expect(await sync(variant), variant.slice(-8)).toEqual({ status: 401, message: 'invalid token' });
    }
  });

  it('refuses a request with two Authorization headers, whichever comes first', async () => {
    const alice = await signToken({ sub: 'two-alice' });
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] });
    for (const [first, second] of [[alice, await signToken({ sub: 'two-bob' })], [alice, alice], ['xxx', alice]]) {
      const res = await rawRequest(s.url, {
        method: 'POST',
        path: '/v1/sync',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: [`Bearer ${first}`, `Bearer ${second}`] },
        chunks: [body],
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toEqual({ error: { code: 'unauthorized', message: 'the request has more than one Authorization header' } });
    }
    expect(await s.pullAll('two-alice')).toEqual([]);
  });

  it('allows a token that expired a few seconds ago (clock leeway), not one that expired minutes ago', async () => {
    expect((await sync(signRaw(`{"sub":"late","exp":${nowS() - 10}}`))).status).toBe(200);
    expect(await sync(signRaw(`{"sub":"late","exp":${nowS() - 120}}`))).toEqual({ status: 401, message: 'the token has expired' });
  });
});

describe('the authenticator', () => {
  it('reports when a token stops being accepted: its exp plus the leeway', async () => {
    let now = 1_800_000_000_000;
    const auth = createAuthenticator(SECRET, { now: () => now, clockToleranceSeconds: 30 });
    const token = await auth.sign('alice', 60);
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ userId: 'alice', expiresAtMs: now + 90_000 });
    now += 89_000;
    expect(await auth.verify(`Bearer ${token}`)).toBe('alice');
    now += 2000;
    await expect(auth.verify(`Bearer ${token}`)).rejects.toThrow('the token has expired');
  });

  it('takes exactly "Bearer <token>": any case, spaces or tabs around the token, nothing before or after', async () => {
    const auth = createAuthenticator(SECRET);
    const token = await auth.sign('alice', 60);
    for (const good of [`Bearer ${token}`, `bearer ${token}`, `BEARER\t${token}`, `Bearer   ${token} \t`]) {
      expect(await auth.verify(good)).toBe('alice');
    }
    const malformed = new AuthError('the Authorization header must be "Bearer <token>"');
    for (const bad of [`Bearer ${token} extra`, `Bearer ${token},${token}`, `XBearer ${token}`, ` Bearer ${token}`, `Basic ${token}`, token, 'Bearer', `Bearer${token}`]) {
      await expect(auth.verify(bad), bad.slice(0, 12)).rejects.toThrow(malformed);
    }
    await expect(auth.verify(undefined)).rejects.toThrow(new AuthError('missing bearer token'));
  });

  it('allows an exp up to 10 years and the leeway away, and not a second further', async () => {
    const now = 1_800_000_000_000;
    const auth = createAuthenticator(SECRET, { now: () => now, clockToleranceSeconds: 30 });
    const at = (exp: number): string => `Bearer ${signRaw(`{"sub":"far","exp":${exp}}`)}`;
    const cap = now / 1000 + MAX_TOKEN_LIFETIME_SECONDS + 30;
    expect(await auth.verify(at(cap))).toBe('far');
    await expect(auth.verify(at(cap + 1))).rejects.toThrow(new AuthError('invalid token: exp is more than 10 years away'));
  });

  it('will not sign for a userId the server would refuse', async () => {
    const auth = createAuthenticator(SECRET);
    for (const bad of ['', 'a\uD800', 'a\u0000', 'x'.repeat(MAX_USER_ID_LENGTH + 1)]) {
      await expect(auth.sign(bad, 60)).rejects.toBeInstanceOf(AuthError);
    }
  });

  it('refuses a lifetime that is not a number, and holds one out of range to what it accepts', async () => {
    const now = 1_800_000_000_000;
    const auth = createAuthenticator(SECRET, { now: () => now });
    for (const bad of [Number.NaN, '60', undefined, null]) {
      await expect(auth.sign('alice', bad as never)).rejects.toThrow(new AuthError('ttlSeconds must be a number of seconds'));
    }
    const lifetime = async (ttl: number): Promise<number> => (await auth.authenticate(`Bearer ${await auth.sign('alice', ttl)}`)).expiresAtMs - now;
    expect(await lifetime(0.5)).toBe(31_000); // a second at least, plus the leeway
    expect(await lifetime(-60)).toBe(31_000);
    expect(await lifetime(Infinity)).toBe(MAX_TOKEN_LIFETIME_SECONDS * 1000 + 30_000); // the longest the server accepts
  });

  it('refuses an empty or missing secret at once, with an AuthError (not later, in a promise nothing awaits)', () => {
    for (const bad of ['', undefined, null, 42]) {
      expect(() => createAuthenticator(bad as never)).toThrow(new AuthError('the token secret must be a non-empty string'));
    }
  });
});
