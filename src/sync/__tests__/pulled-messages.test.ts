/**
 * What a store is given for pulled messages. The library's own remote decodes a columns page
 * straight into the objects a store keeps (columns-page.ts, `pulled`), and the client hands
 * them on as they are: a store must still get exactly the contract's stored message (no
 * server `id`, the flags right), and a message the merge sets aside must still be set aside.
 * A remote of another kind (here, one built on `parseSyncResponse`, whose messages keep their
 * ids) must give the store the very same commits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Remote, type StoredMessage, type SyncStore } from '../index.ts';
import { parseSyncResponse } from '../sync-response.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const schema = defineSchema({ version: 1, tables: { todos: { title: { type: 'string', maxLength: 5 }, done: 'boolean' } } });
const hlc = (n: number) => `2026-11-24T15:00:00.00${n}Z-0000-other`;
/**
 * A columns page: t1 and t2 fit; t3's column is not declared; t4's title is too long; t5 is
 * done. Then a follow-on page (docs/protocol.md §5), t6.
 */
const answer = {
  accepted: 0,
  cursor: 5,
  more: true,
  serverTime: '2026-11-24T15:00:01.000Z',
  format: 'columns',
  page: {
    names: ['todos', 'title', 'secret', 'done'],
    cells: [1, hlc(1), 0, 't1', 1, 'a', 1, hlc(2), 0, 't2', 1, 'b', 1, hlc(3), 0, 't3', 2, 'x', 1, hlc(4), 0, 't4', 1, 'far too long', 1, hlc(5), 0, 't5', 3, true],
  },
  next: [{ cursor: 6, more: false, page: { names: ['todos', 'title'], cells: [1, hlc(6), 0, 't6', 1, 'f'] } }],
};
const STORED_KEYS = ['applied', 'column', 'error', 'hlc', 'local', 'row', 'synced', 'table', 'value'];

/** A memory store that records, field by field, every message it is given to insert (and the objects themselves, in `given`). */
function recording(given: object[] = []): { store: SyncStore; inserted: Record<string, unknown>[] } {
  const inner = createMemoryStore();
  const inserted: Record<string, unknown>[] = [];
  return {
    inserted,
    store: {
      ...inner,
      commit(c) {
        for (const m of c.insert ?? []) {
          given.push(m);
          inserted.push({ ...(m as unknown as Record<string, unknown>) });
        }
        return inner.commit(c);
      },
    },
  };
}

async function pullWith(remote: (url: string) => Remote, given: object[] = []) {
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  const { store, inserted } = recording(given);
  const client = await createSyncClient({ schema, store, remote: remote(url), autoSync: false });
  await client.sync();
  const unapplied = (await store.messages({ kind: 'unapplied' })).map((m: StoredMessage) => [m.row, m.error !== null]);
  const values = await store.values?.(['t1', 't2', 't3', 't4', 't5', 't6'].map((row) => ({ table: 'todos', row, column: row === 't5' ? 'done' : 'title' })));
  await client.close();
  return { inserted, unapplied, values: [...(values ?? new Map()).entries()].map(([k, v]) => [k, v.value]) };
}

describe('pulled messages, as a store gets them', () => {
  it('through the library remote: the contract fields only, and the messages the merge sets aside set aside', async () => {
    const { inserted, unapplied, values } = await pullWith((url) => createHttpRemote({ url, token: 't' }));
    expect(inserted.map((m) => [m.row, m.applied, m.error === null])).toEqual([['t1', true, true], ['t2', true, true], ['t3', false, false], ['t4', false, false], ['t5', true, true], ['t6', true, true]]);
    for (const m of inserted) {
      expect(Object.keys(m).sort()).toEqual(STORED_KEYS);
      expect([m.local, m.synced]).toEqual([false, true]);
    }
    expect(inserted[3]).toMatchObject({ hlc: hlc(4), table: 'todos', row: 't4', column: 'title', value: 'far too long', error: expect.stringContaining('title') });
    expect(unapplied).toEqual([['t3', true], ['t4', true]]);
    expect(values).toEqual([['todos\u0000t1\u0000title', 'a'], ['todos\u0000t2\u0000title', 'b'], ['todos\u0000t5\u0000done', true], ['todos\u0000t6\u0000title', 'f']]);
  });

  it('hands the store the remote\'s own objects, but for the messages set aside: no second object per message', async () => {
    const answered: object[] = [];
    const given: object[] = [];
    await pullWith((url) => {
      const http = createHttpRemote({ url, token: 't' });
      return {
        async sync(request, options) {
          const r = await http.sync(request, options);
          answered.push(...r.messages, ...(r.next ?? []).flatMap((p) => p.messages));
          return r;
        },
      };
    }, given);
    // The remote's messages are the store's already: the nine fields, no id.
    for (const m of answered) expect(Object.keys(m).sort()).toEqual(STORED_KEYS);
    expect(given.map((m, i) => m === answered[i])).toEqual([true, true, false, false, true, true]);
  });

  it('gives the store the same commits as a remote whose messages keep their ids', async () => {
    const own = await pullWith((url) => createHttpRemote({ url, token: 't' }));
    const other = await pullWith((url) => ({
      async sync(request) {
        const res = await fetch(`${url}/v1/sync`, { method: 'POST', body: JSON.stringify({ ...request, format: 'columns' }) });
        const parsed = parseSyncResponse(await res.json(), request.cursor);
        expect([...parsed.messages, ...(parsed.next ?? []).flatMap((p) => p.messages)].map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6]);
        return parsed;
      },
    }));
    expect(own).toEqual(other);
  });
});
