/**
 * Issue 11 item 3, as behaviour (the timings are in `npm run bench`, workload 8): while
 * large pushes queue, `/healthz` and small syncs are answered; large pushes reach the store
 * one at a time; what is over the byte budget is shed with 429 before its body is read;
 * and the SQLite store the server opens itself handles requests in a thread of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';
import { isBodyHandlingStore } from '../ingest/sync-engine.ts';
import { gatedStore } from './helpers/gated-store.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A push of about `kib` KiB (over the 64 KiB that makes a body large). */
const bigPush = (clientId: string, kib: number): { clientId: string; cursor: number; messages: Message[] } => ({
  clientId,
  cursor: 0,
  messages: Array.from({ length: kib }, (_, i) => msg(clientId, `${clientId}-${i}`, 'x'.repeat(1000))),
});

async function until(check: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await sleep(20);
  if (!check()) throw new Error(`${label}: not within 5 s`);
}

async function within<T>(what: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([what, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${label}: no answer within 3 s`)), 3000)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('large pushes queue; everything else is served', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('answers /healthz and small syncs while large pushes wait, and lets large pushes reach the store one at a time', async () => {
    const g = gatedStore();
    s = await startTestServer({ store: g.store });
    const server = s;
    const large = ['L1', 'L2', 'L3'].map((c) => server.sync(`big-${c}`, bigPush(c, 100)));
    await until(() => g.reached() === 1, 'the first large push did not reach the store');
    await sleep(100);
    expect(g.reached()).toBe(1); // the other two wait in the lane, not in the store

    for (let i = 0; i < 5; i++) {
      expect((await within(fetch(`${server.url}/healthz`), '/healthz')).status).toBe(200);
      const small = await within(server.sync('small', { clientId: 'S', cursor: 0, messages: [msg('S', `s${i}`, i)] }), 'a small sync');
      expect(small.status).toBe(200);
    }

    g.open();
    expect((await Promise.all(large)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await server.pullAll('big-L3')).toHaveLength(100);
  });

  it('sheds what is over the byte budget with 429, before reading it, and still admits small requests', async () => {
    const g = gatedStore();
    s = await startTestServer({ store: g.store, env: { FIELDSYNC_MAX_INFLIGHT_BYTES: '150KiB' } });
    const server = s;
    const first = server.sync('a', bigPush('A', 100));
    await until(() => g.reached() === 1, 'the first large push did not reach the store');
    const second = await server.sync('b', bigPush('B', 100));
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ error: { code: 'rate_limited', message: 'the server is busy; retry shortly' } });
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await server.sync('c', { clientId: 'C', cursor: 0, messages: [msg('C', 'c', 1)] })).status).toBe(200);
    g.open();
    expect((await first).status).toBe(200);
    expect((await server.sync('b', bigPush('B', 100))).status).toBe(200);
  });
});

describe('the SQLite store the server opens', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('handles whole requests in its own thread, with the same answers and errors', async () => {
    s = await startTestServer();
    expect(isBodyHandlingStore(s.server.store)).toBe(true);
    const pushed = await s.sync('alice', bigPush('A', 200));
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ accepted: 200, cursor: 200, more: false, messages: [] });
    expect(pushed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const pulled = await s.sync('alice', { clientId: 'B', cursor: 0, limit: 5 });
    expect(pulled.body).toMatchObject({ accepted: 0, cursor: 5, more: true });
    expect((pulled.body.messages as unknown[]).length).toBe(5);

    // Errors thrown in the store's thread arrive as they would on the event loop.
    const ahead = { ...msg('A', 'future', 1), hlc: msg('A', 'x', 1, 0).hlc.replace(/^\d{4}/, '2999') };
    const drift = await s.sync('alice', { clientId: 'A', cursor: 0, messages: [msg('A', 'ok', 1), ahead] });
    expect(drift.status).toBe(400);
    expect(drift.body).toMatchObject({ error: { code: 'clock_drift', index: 1 } });
    expect(typeof (drift.body.error as { serverTime?: unknown }).serverTime).toBe('string');
    const bad = await s.sync('alice', { clientId: 'A', cursor: -1 });
    expect(bad.body).toEqual({ error: { code: 'invalid_request', message: 'cursor must be an integer >= 0' } });
    const notJson = await fetch(`${s.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.token('alice')}` }, body: '{"clientId":' });
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: { code: 'invalid_request', message: 'the body is not valid JSON' } }]);
    // The same for a large body, which a parse worker reads before the store's thread.
    const largeBad = { ...bigPush('A', 100), cursor: -1 };
    expect((await s.sync('alice', largeBad)).body).toEqual({ error: { code: 'invalid_request', message: 'cursor must be an integer >= 0' } });
    const largeDrift = bigPush('A', 100);
    largeDrift.messages[7] = { ...(largeDrift.messages[7] as Message), hlc: (largeDrift.messages[7] as Message).hlc.replace(/^\d{4}/, '2999') };
    const largeDrifted = await s.sync('alice', largeDrift);
    expect(largeDrifted.body).toMatchObject({ error: { code: 'clock_drift', index: 7 } });
    expect(typeof (largeDrifted.body.error as { serverTime?: unknown }).serverTime).toBe('string'); // checked in the parse worker
    const largeNotJson = await fetch(`${s.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await s.token('alice')}` }, body: `{"clientId":"A",${' '.repeat(100_000)}` });
    expect([largeNotJson.status, await largeNotJson.json()]).toEqual([400, { error: { code: 'invalid_request', message: 'the body is not valid JSON' } }]);
    expect(await s.pullAll('alice')).toHaveLength(200);
  });

  it('checks the clock drift of a large push in its parse worker with the limit the server was given', async () => {
    // One message 10 minutes ahead: over the default limit (5 minutes), within a limit of 1 hour.
    const ahead = (): { clientId: string; cursor: number; messages: Message[] } => {
      const push = bigPush('A', 100);
      push.messages[3] = { ...(push.messages[3] as Message), hlc: formatHlc({ millis: Date.now() + 600_000, counter: 0, clientId: 'A' }) };
      return push;
    };
    s = await startTestServer({ env: { FIELDSYNC_MAX_DRIFT: '1h' } });
    const taken = await s.sync('alice', ahead());
    expect(taken.status).toBe(200);
    expect(Date.parse(taken.body.serverTime as string)).toBeLessThanOrEqual(Date.now());
    expect(await s.pullAll('alice')).toHaveLength(100);
    await s.stop();
    s = await startTestServer();
    const refused = await s.sync('alice', ahead());
    expect(refused.body).toMatchObject({ error: { code: 'clock_drift', index: 3 } });
    expect(await s.pullAll('alice')).toHaveLength(0);
  });

  it('answers small syncs while large pushes are stored in its thread, and stores every large push', async () => {
    s = await startTestServer();
    const server = s;
    const large = Array.from({ length: 6 }, (_, i) => server.sync(`big-${i}`, bigPush(`L${i}`, 300)));
    for (let i = 0; i < 5; i++) {
      expect((await within(server.sync('small', { clientId: 'S', cursor: 0, messages: [msg('S', `s${i}`, i)] }), 'a small sync')).status).toBe(200);
    }
    expect((await Promise.all(large)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (let i = 0; i < 6; i++) expect(await server.pullAll(`big-${i}`)).toHaveLength(300);
  });
});
