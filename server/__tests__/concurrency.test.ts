/**
 * Many clients of one user push at once while a reader pages with a small limit: every id is
 * unique, pages come in increasing id order, and the reader sees every surviving message
 * exactly once, because ids become visible in id order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from 'fieldsync/server';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const CLIENTS = 16;
const PUSHES = 8;
const PER_PUSH = 30;

describe('concurrent pushes and a paging reader', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { FIELDSYNC_MAX_INFLIGHT_PER_USER: '64' } });
  });
  afterAll(() => s.stop());

  async function readWhile(user: string, done: () => boolean): Promise<{ seen: ServerMessage[]; pages: number }> {
    const seen: ServerMessage[] = [];
    let cursor = 0;
    let pages = 0;
    let finishing = false;
    for (;;) {
      const finished = done();
      const r = await s.sync(user, { clientId: 'reader', cursor, limit: 7 });
      expect(r.status).toBe(200);
      pages++;
      const page = r.body.messages as ServerMessage[];
      for (const m of page) expect(m.id).toBeGreaterThan(cursor);
      seen.push(...page);
      expect(r.body.cursor as number).toBeGreaterThanOrEqual(cursor);
      cursor = r.body.cursor as number;
      // After the writers finished, page until the end once more.
      if (!r.body.more && finished) {
        if (finishing) return { seen, pages };
        finishing = true;
      }
    }
  }

  it('distinct cells: every message exactly once, in increasing id order', async () => {
    let writersDone = false;
    const pushed: string[] = [];
    const writers = Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let p = 0; p < PUSHES; p++) {
        const batch = Array.from({ length: PER_PUSH }, (_, j) => msg(`C${c}`, `c${c}-p${p}-m${j}`, j));
        const r = await s.sync('many', { clientId: `C${c}`, cursor: 0, limit: 1, messages: batch });
        expect(r.status).toBe(200);
        pushed.push(...batch.map((m) => m.hlc));
      }
    })).finally(() => {
      writersDone = true;
    });
    const [{ seen, pages }] = await Promise.all([readWhile('many', () => writersDone), writers]);
    expect(pages).toBeGreaterThan(10);
    const ids = seen.map((m) => m.id);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
    expect(seen.length).toBe(CLIENTS * PUSHES * PER_PUSH);
    expect(new Set(seen.map((m) => m.hlc))).toEqual(new Set(pushed));
    expect(ids[ids.length - 1]).toBe(CLIENTS * PUSHES * PER_PUSH);
  });

  it('overlapping cells with compaction: the reader still gets every surviving message once, ids increasing', async () => {
    let writersDone = false;
    const writers = Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let p = 0; p < PUSHES; p++) {
        const batch = Array.from({ length: PER_PUSH }, (_, j) => msg(`C${c}`, `cell${j}`, `${c}/${p}`));
        expect((await s.sync('overlap', { clientId: `C${c}`, cursor: 0, limit: 1, messages: batch })).status).toBe(200);
      }
    })).finally(() => {
      writersDone = true;
    });
    const [{ seen }] = await Promise.all([readWhile('overlap', () => writersDone), writers]);
    const ids = seen.map((m) => m.id);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
    const surviving = await s.pullAll('overlap');
    expect(surviving.length).toBe(PER_PUSH); // one message per cell
    const seenHlcs = seen.map((m) => m.hlc);
    for (const m of surviving) expect(seenHlcs.filter((h) => h === m.hlc)).toHaveLength(1);
    // The reader's last value of each cell is the winner (greatest hlc).
    const last = new Map<string, ServerMessage>();
    for (const m of seen) if (!last.has(m.row) || (last.get(m.row) as ServerMessage).hlc < m.hlc) last.set(m.row, m);
    expect([...last.values()].map((m) => m.hlc).sort()).toEqual(surviving.map((m) => m.hlc).sort());
  });
});
