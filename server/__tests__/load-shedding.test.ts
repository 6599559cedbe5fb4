import { request, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryServerStore, type ServerStore } from 'fieldsync/server';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

/**
 * A sync request whose body is still arriving: it holds its place until finished. With
 * `continue`, it asks `Expect: 100-continue` and starts its body once the server says every
 * check made before a body has passed (`admitted` resolves then).
 */
function slowRequest(url: string, token: string, o: { continue?: boolean } = {}): { req: ClientRequest; admitted: Promise<void>; finish(): Promise<number> } {
  const body = JSON.stringify({ clientId: 'S', cursor: 0, messages: [msg('S', 'slow', 'v')] });
  let resolveStatus: (n: number) => void = () => {};
  const status = new Promise<number>((r) => { resolveStatus = r; });
  const req = request(`${url}/v1/sync`, {
    method: 'POST', agent: false,
    headers: {
      'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`,
      ...(o.continue ? { expect: '100-continue' } : {}),
    },
  }, (res) => {
    res.resume();
    res.on('end', () => resolveStatus(res.statusCode ?? 0));
  });
  req.on('error', () => {}); // destroyed on purpose in one test
  const admitted = o.continue ? new Promise<void>((resolve) => req.once('continue', () => resolve())) : Promise.resolve();
  if (o.continue) {
    req.flushHeaders();
    void admitted.then(() => req.write(body.slice(0, 10)));
  } else {
    req.write(body.slice(0, 10));
  }
  return { req, admitted, finish: () => { req.end(body.slice(10)); return status; } };
}

/** Checks until `check` holds, for up to 10 s (2 s was too short for a busy 2-core machine, where the suite runs beside others). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end;) {
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

  it('refuses over the global bound once bodies have arrived, and a finished request frees its place', async () => {
    // A store whose pushes wait until the test lets them go: requests stay "in flight".
    const inner = createMemoryServerStore();
    let letGo: () => void = () => {};
    let gate: Promise<void> | null = new Promise((r) => { letGo = r; });
    const store: ServerStore = {
      push: async (user, messages) => {
        if (gate) await gate;
        return inner.push(user, messages);
      },
      pull: (user, options) => inner.pull(user, options),
      renewEpoch: (user, current) => inner.renewEpoch(user, current),
    };
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT: '1' }, store });
    const server = s;
    const held = server.sync('first', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'held')] });
    await until(async () => (await server.sync('second', { clientId: 'B', cursor: 0 })).status === 429);
    const refused = await server.sync('second', { clientId: 'B', cursor: 0 });
    expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } });
    expect(refused.headers.get('retry-after')).toBe('1');
    letGo();
    gate = null;
    expect((await held).status).toBe(200);
    expect((await server.sync('second', { clientId: 'B', cursor: 0 })).status).toBe(200);
    expect((await server.pullAll('first')).map((m) => m.value)).toEqual(['held']);
  });

  it('a body still arriving holds no shared place: other users are served while it trickles', async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT: '1' } });
    const server = s;
    const slow = slowRequest(server.url, await server.token('first'), { continue: true });
    // Past the checks made before its body: otherwise another user's sync could hold the one
    // shared place at that moment, and the slow request would rightly be refused (it was, once
    // in 20 runs under load).
    await slow.admitted;
    for (let i = 0; i < 5; i++) expect((await server.sync('second', { clientId: 'B', cursor: 0 })).status).toBe(200);
    expect(await slow.finish()).toBe(200);
  });
});
