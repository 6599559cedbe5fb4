import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncResponse, type ServerMessage } from 'fieldsync/server';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

describe('POST /v1/sync over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  it('answers the protocol shape', async () => {
    const r = await s.sync('shape', { clientId: 'A', cursor: 0, messages: [msg('A', 'r1', 'hello')] });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(r.body).sort()).toEqual(['accepted', 'cursor', 'epoch', 'messages', 'more', 'serverTime']);
    expect([r.body.accepted, r.body.cursor, r.body.more, r.body.messages]).toEqual([1, 1, false, []]);
    expect(r.body.epoch).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(Math.abs(Date.parse(r.body.serverTime as string) - Date.now())).toBeLessThan(5000);
    const seen = await s.pullAll('shape');
    expect(seen).toEqual([{ id: 1, ...msgFields(seen[0] as ServerMessage) }]);
    expect(Object.keys(seen[0] as object).sort()).toEqual(['column', 'hlc', 'id', 'row', 'table', 'value']);
  });

  it('isolates users: no request of one user reads or writes another user\'s messages', async () => {
    const m = msg('A', 'secret', 'alice only');
    expect((await s.sync('iso-alice', { clientId: 'A', cursor: 0, messages: [m] })).status).toBe(200);
    // Bob, with his own valid token, pushes the very same hlc and reads from cursor 0.
    const bob = await s.sync('iso-bob', { clientId: 'A', cursor: 0, messages: [{ ...m, value: 'bob only' }] });
    expect([bob.status, bob.body.accepted, bob.body.cursor]).toEqual([200, 1, 1]);
    const bobReads = await s.sync('iso-bob', { clientId: 'B', cursor: 0 });
    expect(bobReads.body.messages).toEqual([{ id: 1, ...m, value: 'bob only' }]);
    expect((await s.pullAll('iso-alice')).map((x) => x.value)).toEqual(['alice only']);
    expect((await s.pullAll('iso-bob')).map((x) => x.value)).toEqual(['bob only']);
  });

  it('accepts a re-push again without storing it twice', async () => {
    const batch = [msg('A', 'r1', 1), msg('A', 'r2', 2), msg('A', 'r3', 3)];
    const first = await s.sync('idem', { clientId: 'A', cursor: 0, messages: batch });
    const again = await s.sync('idem', { clientId: 'A', cursor: 0, messages: batch });
    expect([first.body.accepted, again.body.accepted]).toEqual([3, 3]);
    expect([first.body.cursor, again.body.cursor]).toEqual([3, 3]);
    const partly = await s.sync('idem', { clientId: 'A', cursor: 3, messages: [batch[1], msg('A', 'r4', 4)] });
    expect([partly.body.accepted, partly.body.cursor]).toEqual([2, 4]);
    expect((await s.pullAll('idem')).map((x) => [x.id, x.value])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    const log = s.logs.filter((l) => l.user === 'idem' && l.pushed !== undefined).map((l) => [l.pushed, l.stored]);
    expect(log).toEqual([[3, 3], [3, 0], [2, 1], [0, 0]]);
  });

  it('pages by cursor with limit and more, in id order, and leaves out the caller\'s own messages', async () => {
    await s.sync('page', { clientId: 'A', cursor: 0, messages: [msg('A', 'a1', 'a1'), msg('A', 'a2', 'a2')] });
    await s.sync('page', { clientId: 'B', cursor: 0, messages: [msg('B', 'b1', 'b1'), msg('B', 'b2', 'b2'), msg('B', 'b3', 'b3')] });
    await s.sync('page', { clientId: 'A', cursor: 0, messages: [msg('A', 'a3', 'a3')] });
    const p1 = await s.sync('page', { clientId: 'A', cursor: 0, limit: 2 });
    expect([(p1.body.messages as ServerMessage[]).map((x) => [x.id, x.value]), p1.body.more, p1.body.cursor])
      .toEqual([[[3, 'b1'], [4, 'b2']], true, 4]);
    const p2 = await s.sync('page', { clientId: 'A', cursor: 4, limit: 2 });
    expect([(p2.body.messages as ServerMessage[]).map((x) => x.value), p2.body.more, p2.body.cursor]).toEqual([['b3'], false, 6]);
    const p3 = await s.sync('page', { clientId: 'A', cursor: 6 });
    expect([p3.body.messages, p3.body.more, p3.body.cursor]).toEqual([[], false, 6]);
    const b = await s.sync('page', { clientId: 'B', cursor: 0 });
    expect((b.body.messages as ServerMessage[]).map((x) => x.value)).toEqual(['a1', 'a2', 'a3']);
    const ahead = await s.sync('page', { clientId: 'A', cursor: 1000 });
    expect([ahead.body.cursor, ahead.body.messages]).toEqual([1000, []]);
    const exact = await s.sync('page', { clientId: 'A', cursor: 0, limit: 3 });
    expect([(exact.body.messages as unknown[]).length, exact.body.more, exact.body.cursor]).toEqual([3, false, 6]);
  });

  it('carries follow-on pages when asked, counted in the log line, with the push on the first page', async () => {
    await s.sync('pages', { clientId: 'B', cursor: 0, messages: [1, 2, 3, 4, 5].map((i) => msg('B', `b${i}`, `v${i}`)) });
    const r = await s.sync('pages', { clientId: 'A', cursor: 0, limit: 2, format: 'columns', pages: 8, messages: [msg('A', 'a1', 'mine')] });
    const parsed = parseSyncResponse(r.body, 0);
    expect([parsed, ...(parsed.next ?? [])].map((p) => [p.cursor, p.more, p.messages.map((m) => [m.id, m.value])]))
      .toEqual([[2, true, [[1, 'v1'], [2, 'v2']]], [4, true, [[3, 'v3'], [4, 'v4']]], [6, false, [[5, 'v5']]]]);
    expect(parsed.accepted).toBe(1);
    expect(s.logs.filter((l) => l.user === 'pages').at(-1)).toMatchObject({ pushed: 1, stored: 1, pulled: 5 });
    const refused = await s.sync('pages', { clientId: 'A', cursor: 0, format: 'columns', pages: 9 });
    expect([refused.status, (refused.body.error as { code: string }).code]).toEqual([400, 'invalid_request']);
  });

  it('pushes first, then pulls: the answer to a push can carry others\' messages', async () => {
    await s.sync('order', { clientId: 'B', cursor: 0, messages: [msg('B', 'b', 'from B')] });
    const r = await s.sync('order', { clientId: 'A', cursor: 0, messages: [msg('A', 'a', 'from A')] });
    expect([(r.body.messages as ServerMessage[]).map((x) => x.value), r.body.cursor]).toEqual([['from B'], 2]);
  });

  it('round-trips tricky values exactly, __proto__ keys included', async () => {
    // JSON texts as a client sends them: a `__proto__` key is plain data in JSON.
    const texts = ['null', 'true', '0', '-1.5', '1e+300', '""', JSON.stringify('emoji 👩‍💻 \u0000 \ud800'), '[]',
      '{"__proto__":1,"constructor":{"prototype":2}}', '{"a":[1,{"b":null}]}'];
    const token = await s.token('tricky');
    const base = msg('A', 'r', null);
    const messages = texts.map((t, i) => `{"hlc":"${base.hlc.slice(0, 24)}-${i.toString(16).toUpperCase().padStart(4, '0')}-A","table":"notes","row":"r${i}","column":"title","value":${t}}`);
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      body: `{"clientId":"A","cursor":0,"messages":[${messages.join(',')}]}`,
    });
    expect(res.status).toBe(200);
    const text = await (await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'observer', cursor: 0 }),
    })).text();
    expect(text).toContain('{"__proto__":1,"constructor":{"prototype":2}}');
    const back = (JSON.parse(text) as { messages: ServerMessage[] }).messages.map((m) => JSON.stringify(m.value));
    expect(back).toEqual(texts.map((t) => JSON.stringify(JSON.parse(t))));
  });

  it('logs one line per request with method, path, status, duration, user and counts, and never a value', async () => {
    await s.sync('logged', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'top-secret-value-xyzzy')] });
    const line = s.logs.find((l) => l.user === 'logged');
    expect(line).toMatchObject({ method: 'POST', path: '/v1/sync', status: 200, user: 'logged', pushed: 1, stored: 1, pulled: 0, msg: 'request' });
    expect(typeof line?.ms).toBe('number');
    expect(s.logText()).not.toContain('top-secret-value-xyzzy');
    expect(s.logText()).not.toMatch(/authorization/i);
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
  });
});

for (const compaction of [true, false]) {
  describe(`compaction ${compaction ? 'on' : 'off'}, over HTTP`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ env: { FIELDSYNC_COMPACTION: compaction ? 'on' : 'off' } });
    });
    afterAll(() => s.stop());

    it(compaction ? 'keeps one message per cell, and a late loser is accepted but not kept' : 'keeps every message', async () => {
      const v1 = msg('A', 'r', 'v1', 1);
      const v3 = msg('A', 'r', 'v3', 3);
      const late = msg('B', 'r', 'late loser', 2);
      const other = msg('A', 'other', 'x', 4);
      const first = await s.sync('u', { clientId: 'A', cursor: 0, messages: [v1, other] });
      // B has seen everything so far (cursor 2) when A's newer value arrives.
      const bCursor = (await s.sync('u', { clientId: 'B', cursor: 0 })).body.cursor as number;
      expect([first.body.cursor, bCursor]).toEqual([2, 2]);
      await s.sync('u', { clientId: 'A', cursor: 2, messages: [v3] });
      const lateAnswer = await s.sync('u', { clientId: 'B', cursor: bCursor, messages: [late] });
      expect(lateAnswer.body.accepted).toBe(1);
      // B still gets the winner of its cell after its cursor.
      expect((lateAnswer.body.messages as ServerMessage[]).map((x) => x.value)).toEqual(['v3']);
      const all = await s.pullAll('u');
      if (compaction) {
        expect(all.map((x) => [x.id, x.value])).toEqual([[2, 'x'], [3, 'v3']]);
      } else {
        expect(all.map((x) => [x.id, x.value])).toEqual([[1, 'v1'], [2, 'x'], [3, 'v3'], [4, 'late loser']]);
      }
      for (let i = 10; i < 60; i++) await s.sync('u', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', `v${i}`, i)] });
      expect((await s.pullAll('u')).length).toBe(compaction ? 2 : 54);
      const winner = (await s.pullAll('u')).filter((x) => x.row === 'r').sort((a, b) => (a.hlc < b.hlc ? 1 : -1))[0];
      expect(winner?.value).toBe('v59');
    });
  });
}

function msgFields(m: ServerMessage): Omit<ServerMessage, 'id'> {
  const { id: _id, ...rest } = m;
  return rest;
}
