import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg, signToken, startTestServer, unsignedToken, type TestServer } from './helpers/test-server.ts';

describe('authentication over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  const post = (authorization: string | undefined, body: unknown = { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'secret value')] }) =>
    fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  const refused: [string, () => Promise<string | undefined>][] = [
    ['no Authorization header', async () => undefined],
    ['an empty header', async () => ''],
    ['another scheme', async () => `Basic ${Buffer.from('alice:pw').toString('base64')}`],
    ['Bearer without a token', async () => 'Bearer '],
    ['garbage', async () => 'Bearer not.a.jwt'],
    ['an expired token', async () => `Bearer ${await signToken({ sub: 'alice' }, { expiresIn: -120 })}`],
    ['a token signed with another secret', async () => `Bearer ${await signToken({ sub: 'alice' }, { secret: 'another-secret-that-is-long-enough-000000' })}`],
    ['an alg=none token', async () => `Bearer ${unsignedToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 })}`],
    ['an HS512 token (algorithm pinned to HS256)', async () => `Bearer ${await signToken({ sub: 'alice' }, { alg: 'HS512' })}`],
    ['a token without exp', async () => `Bearer ${await signToken({ sub: 'alice' }, { expiresIn: null })}`],
    ['a token without sub', async () => `Bearer ${await signToken({})}`],
    ['a token with an empty sub', async () => `Bearer ${await signToken({ sub: '' })}`],
    ['a token with a non-string sub', async () => `Bearer ${await signToken({ sub: 42 })}`],
    ['a tampered payload', async () => {
      const [h, , sig] = (await signToken({ sub: 'alice' })).split('.');
      return `Bearer ${h}.${Buffer.from(JSON.stringify({ sub: 'bob', exp: 9_999_999_999 })).toString('base64url')}.${sig}`;
    }],
  ];

  for (const [name, header] of refused) {
    it(`refuses ${name} with 401 unauthorized and stores nothing`, async () => {
      const res = await post(await header());
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(await s.pullAll('alice')).toEqual([]);
    });
  }

  it('says when a token has expired', async () => {
    const res = await post(`Bearer ${await signToken({ sub: 'alice' }, { expiresIn: -120 })}`);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('refuses an unauthenticated event stream', async () => {
    const res = await fetch(`${s.url}/v1/events?clientId=A`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('accepts a valid token, and the user comes only from its sub', async () => {
    const res = await post(`Bearer ${await signToken({ sub: 'alice', user: 'bob', userId: 'bob' })}`, {
      clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')], user: 'bob', userId: 'bob',
    });
    expect(res.status).toBe(200);
    expect((await s.pullAll('alice')).map((m) => m.value)).toEqual(['v']);
    expect(await s.pullAll('bob')).toEqual([]);
  });

  it('accepts the scheme in any case', async () => {
    const res = await post(`bearer ${await s.token('carol')}`, { clientId: 'A', cursor: 0 });
    expect(res.status).toBe(200);
  });

  it('never logs tokens', async () => {
    const token = await s.token('dave');
    await post(`Bearer ${token}`, { clientId: 'A', cursor: 0 });
    await post('Bearer not.a.jwt');
    expect(s.logText()).not.toContain(token);
    expect(s.logText()).not.toContain(token.split('.')[2]);
    expect(s.logText()).not.toContain('not.a.jwt');
  });
});
