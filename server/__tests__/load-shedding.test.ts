import { request, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/** A sync request whose body is still arriving: it holds its place until finished. */
function slowRequest(url: string, token: string): { req: ClientRequest; finish(): Promise<number> } {
  const body = JSON.stringify({ clientId: 'S', cursor: 0, messages: [msg('S', 'slow', 'v')] });
  let resolveStatus: (n: number) => void = () => {};
  const status = new Promise<number>((r) => { resolveStatus = r; });
  const req = request(`${url}/v1/sync`, {
    method: 'POST', agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
  }, (res) => {
    res.resume();
    res.on('end', () => resolveStatus(res.statusCode ?? 0));
  });
  req.on('error', () => {}); // destroyed on purpose in one test
  req.write(body.slice(0, 10));
  return { req, finish: () => { req.end(body.slice(10)); return status; } };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

describe('load shedding', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('refuses a user\'s requests over the per-user bound with 429 and Retry-After, then serves again', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '1' } });
    const server = s;
    const slow = slowRequest(server.url, await server.token('busy'));
    let refused: Awaited<ReturnType<TestServer['sync']>> | undefined;
    await until(async () => {
      const r = await server.sync('busy', { clientId: 'B', cursor: 0, messages: [msg('B', 'x', 'refused')] });
      if (r.status === 429) refused = r;
      return r.status === 429;
    });
    expect(refused?.body).toMatchObject({ error: { code: 'rate_limited' } });
    expect(refused?.headers.get('retry-after')).toBe('1');
    // Another user is not affected.
    expect((await server.sync('other', { clientId: 'B', cursor: 0 })).status).toBe(200);
    expect(await slow.finish()).toBe(200);
    expect((await server.sync('busy', { clientId: 'B', cursor: 0 })).status).toBe(200);
    expect((await server.pullAll('busy')).map((m) => m.value)).toEqual(['v']);
  });

  it('refuses over the global bound, and a client that goes away frees its place', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT: '1' } });
    const server = s;
    const slow = slowRequest(server.url, await server.token('first'));
    await until(async () => (await server.sync('second', { clientId: 'B', cursor: 0 })).status === 429);
    slow.req.destroy();
    await until(async () => (await server.sync('second', { clientId: 'B', cursor: 0 })).status === 200);
    expect(await server.pullAll('first')).toEqual([]);
  });
});
