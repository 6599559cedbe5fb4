/**
 * A write that got the `hlc` of a write its store lost (a store restored from a backup, a
 * clock that reads no later than the lost write): the server keeps the lost one and sends it
 * back in the client's first pull after opening, and the client re-stamps its own
 * (repair.ts, restampTaken; docs/protocol.md, "Own messages"). The lost writes are put on the
 * server here directly, under the hlcs the client's clock issues next: what a restored store
 * meets, without a backup (restored-store.test.ts has the backups, on real SQLite files).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema, type SyncClient } from '../index.ts';
import { RemoteError } from '../errors.ts';
import { formatHlc } from '../hlc.ts';
import { createInProcessServer } from '../testing/index.ts';
import type { SyncRequest } from '../protocol.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
const T = Date.UTC(2026, 11, 5, 12, 0, 0);
const hlc = (counter: number, clientId: string, millis = T): string => formatHlc({ millis, counter, clientId });

interface Setup {
  readonly server: ReturnType<typeof createInProcessServer>;
  readonly client: SyncClient;
  /** Each request's pushed messages, with the client's pending count when it was sent. */
  readonly requests: { pushed: number; pending: number }[];
  readonly changes: { source: string; changes: Readonly<Record<string, readonly string[]>> }[];
}

async function setup(pullLimit = 100): Promise<Setup> {
  const server = createInProcessServer({ now: () => T });
  const remote = server.remote('u');
  const requests: { pushed: number; pending: number }[] = [];
  const holder: { client?: SyncClient } = {};
  const client = await createSyncClient({
    schema, store: createMemoryStore(), autoSync: false, now: () => T, pullLimit,
    remote: { sync: (r: SyncRequest) => {
      // Bounded: a client whose cursor stays put (round 56's plant of `cursor: c.cursor` in
      // sync-run.ts) asks for ever, with no timer that Vitest's timeout could fire on.
      if (requests.length >= 50) throw new Error(`still asking after 50 requests, from cursor ${r.cursor}`);
      requests.push({ pushed: r.messages?.length ?? 0, pending: holder.client?.status.pending ?? -1 });
      return remote.sync({ ...r, pages: 1 });
    } },
  });
  holder.client = client;
  const changes: Setup['changes'] = [];
  client.on('change', (e) => changes.push(e));
  return { server, client, requests, changes };
}

const title = async (c: SyncClient, row: string): Promise<unknown> => (await c.history('todos', row, 'title')).find((m) => m.won)?.value;

describe('a write that got a lost write\'s hlc', () => {
  it('several on one cell keep their order: the later write still wins it, wherever the lost ones sit in the log', async () => {
    const { server, client } = await setup();
    const id = client.clientId;
    // The lost writes, stored in the reverse of their hlcs' order.
    await server.store.push('u', [{ hlc: hlc(1, id), table: 'todos', row: 'lost1', column: 'title', value: 'lost 1' }]);
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost0', column: 'title', value: 'lost 0' }]);
    const [first] = await client.update('todos', 'x', { title: 'first' });
    const [second] = await client.update('todos', 'x', { title: 'second' });
    expect([first?.hlc, second?.hlc]).toEqual([hlc(0, id), hlc(1, id)]); // the premise
    await client.sync();
    expect(await title(client, 'x')).toBe('second');
    const other = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false, now: () => T, remote: server.remote('u') });
    await other.sync();
    for (const row of ['x', 'lost0', 'lost1']) expect(await title(other, row)).toBe(await title(client, row));
    expect(await title(other, 'x')).toBe('second');
    const history = await client.history('todos', 'x', 'title');
    expect(history.map((m) => [m.value, m.won])).toEqual([['second', true], ['first', false]]);
    expect(history.every((m) => m.hlc > hlc(1, id))).toBe(true);
  });

  it('is pending again until pushed anew: counted when re-stamped in the answer to its push; the rest of that push is done', async () => {
    const { server, client, requests } = await setup();
    const id = client.clientId;
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('todos', 'x', { title: 'new' });
    await client.update('todos', 'y', { title: 'not taken' });
    const status = await client.sync();
    expect(requests).toEqual([{ pushed: 2, pending: 2 }, { pushed: 1, pending: 1 }]);
    expect(status.pending).toBe(0);
  });

  it('is stamped past every lost write that comes back, whatever their order in the log', async () => {
    const { server, client } = await setup();
    const id = client.clientId;
    // A later lost write of the same cell, stored first: the new write was made after it.
    await server.store.push('u', [{ hlc: hlc(5, id), table: 'todos', row: 'x', column: 'title', value: 'lost, later' }]);
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('todos', 'x', { title: 'mine' });
    await client.sync();
    expect(await title(client, 'x')).toBe('mine');
  });

  it('and when it comes back pages after its push, counted again (it was pushed, and no longer counted)', async () => {
    const { server, client, requests } = await setup(1);
    const id = client.clientId;
    await server.store.push('u', [{ hlc: hlc(5, 'other', T - 1), table: 'todos', row: 'o', column: 'title', value: 'o' }]);
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('todos', 'x', { title: 'new' });
    const status = await client.sync();
    // The push and the other device's page; the lost one's page, after which the write is pending again; its push.
    expect(requests).toEqual([{ pushed: 1, pending: 1 }, { pushed: 0, pending: 0 }, { pushed: 1, pending: 1 }]);
    expect(status.pending).toBe(0);
    expect(await title(client, 'lost')).toBe('lost');
  });

  it('wins its cell once re-stamped even where a message pulled before had beaten it, and the app hears of it', async () => {
    const { server, client, changes } = await setup(1);
    const id = client.clientId;
    // Another device's write of the same cell, a millisecond later than the clock reads: pulled first.
    await server.store.push('u', [{ hlc: hlc(0, 'other', T + 1), table: 'todos', row: 'x', column: 'title', value: 'other' }]);
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('todos', 'x', { title: 'mine' });
    changes.length = 0;
    await client.sync();
    expect(await title(client, 'x')).toBe('mine');
    expect(changes).toContainEqual({ source: 'local', changes: { todos: ['x'] } });
    const other = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false, now: () => T, remote: server.remote('u') });
    await other.sync();
    expect(await title(other, 'x')).toBe('mine');
  });

  it('one set aside (refused by the server) is re-stamped and stays set aside: it wins no cell', async () => {
    const server = createInProcessServer({ now: () => T });
    const remote = server.remote('u');
    let refused = false;
    const store = createMemoryStore();
    const client = await createSyncClient({
      schema, store, autoSync: false, now: () => T,
      remote: { sync: (r: SyncRequest) => {
        if (!refused && (r.messages?.length ?? 0) > 0) {
          refused = true;
          return Promise.reject(new RemoteError(400, 'invalid_message', 'refused', { index: 0 }));
        }
        return remote.sync(r);
      } },
    });
    const id = client.clientId;
    const changes: Readonly<Record<string, readonly string[]>>[] = [];
    client.on('change', (e) => changes.push(e.changes));
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('todos', 'x', { title: 'refused' });
    const status = await client.sync();
    expect(changes.filter((c) => Object.keys(c).length === 0)).toEqual([]); // no event for a re-stamp that changed no cell
    expect([status.pending, status.rejected]).toEqual([0, 1]);
    expect(store.get('todos', 'x')).toBeUndefined();
    expect(store.get('todos', 'lost')).toMatchObject({ title: 'lost' });
    const aside = await client.rejected();
    expect(aside).toMatchObject([{ row: 'x', value: 'refused', error: 'refused' }]);
    expect(aside[0]?.hlc).not.toBe(hlc(0, id));
  });

  it('in a table named like an Object member (constructor), tells the app of the row', async () => {
    const server = createInProcessServer({ now: () => T });
    const client = await createSyncClient({
      schema: defineSchema({ version: 1, tables: Object.fromEntries([['constructor', { title: 'string' as const }]]) }),
      store: createMemoryStore(), autoSync: false, now: () => T, remote: server.remote('u'),
    });
    const changes: Readonly<Record<string, readonly string[]>>[] = [];
    client.on('change', (e) => changes.push(e.changes));
    await server.store.push('u', [{ hlc: hlc(0, client.clientId), table: 'constructor', row: 'lost', column: 'title', value: 'lost' }]);
    await client.update('constructor', 'x', { title: 'mine' });
    changes.length = 0;
    await client.sync();
    expect(changes).toContainEqual({ constructor: ['x'] });
    expect((await client.history('constructor', 'x', 'title')).map((m) => m.value)).toEqual(['mine']);
  });

  it('two cells of one row re-stamped at once: the app hears of the row once', async () => {
    const server = createInProcessServer({ now: () => T });
    const client = await createSyncClient({
      schema: defineSchema({ version: 1, tables: { todos: { title: 'string', note: 'string' } } }),
      store: createMemoryStore(), autoSync: false, now: () => T, remote: server.remote('u'),
    });
    const id = client.clientId;
    await server.store.push('u', [0, 1].map((n) => ({ hlc: hlc(n, id), table: 'todos', row: `lost${n}`, column: 'title', value: 'lost' })));
    const written = await client.update('todos', 'x', { title: 'mine', note: 'mine too' });
    expect(written.map((m) => m.hlc).sort()).toEqual([hlc(0, id), hlc(1, id)]); // the premise: both taken
    const changes: Readonly<Record<string, readonly string[]>>[] = [];
    client.on('change', (e) => changes.push(e.changes));
    await client.sync();
    expect(changes).toContainEqual({ todos: ['x'] });
    expect(changes.filter((c) => c.todos?.includes('x'))).toEqual([{ todos: ['x'] }]);
  });

  it('a cell a message ahead of the clock holds (left to it by a second clock_drift repair) stays its, here as on every device', async () => {
    // Only a server that took a message under a looser limit hands out one 20 minutes ahead
    // of its clock (repairs.test.ts). The first repair starts the clock from it, still too far
    // ahead; the second starts from the server's clock, below it, and leaves it the cell. The
    // re-stamped write then takes a lost write's hlc: its re-stamp, below the message ahead
    // too, must leave it the cell, as the other devices do.
    const server = createInProcessServer({ now: () => T });
    const ahead = { hlc: hlc(0, 'other', T + 20 * 60_000), table: 'todos', row: 'x', column: 'title', value: 'theirs' };
    await server.store.push('u', [ahead]);
    await server.store.push('u', [{ hlc: hlc(0, 'other', T - 1), table: 'todos', row: 'f', column: 'title', value: 'filler' }]);
    const inner = server.remote('u');
    const store = createMemoryStore();
    let n = 0;
    let lost = '';
    const client = await createSyncClient({
      schema, store, autoSync: false, now: () => T + 600_000, pullLimit: 1, // its clock 10 minutes ahead
      remote: { sync: async (r: SyncRequest) => {
        if (++n > 50) throw new Error(`still asking after 50 requests, from cursor ${r.cursor}`); // bounded, as in setup
        if (n === 1) throw new RemoteError(400, 'clock_drift', 'ahead', { index: 0 }); // without the server's clock
        const pushed = r.messages?.[0];
        if (n === 4 && pushed) {
          // The write, re-stamped twice, now has the hlc of a write of this device the server kept.
          lost = pushed.hlc;
          await server.store.push('u', [{ hlc: pushed.hlc, table: 'todos', row: 'lost', column: 'title', value: 'lost' }]);
        }
        return inner.sync({ ...r, pages: 1 });
      } },
    });
    await client.set('todos', 'x', 'title', 'mine');
    const changes: { source: string; changes: Readonly<Record<string, readonly string[]>> }[] = [];
    client.on('change', (e) => changes.push(e));
    const status = await client.sync();
    expect(lost).not.toBe(''); // the premise: the fourth request pushed the write
    // The second repair gave the cell to the message ahead; the re-stamp changed no cell.
    expect(changes.filter((e) => e.changes.todos?.includes('x'))).toEqual([{ source: 'remote', changes: { todos: ['x'] } }]);
    expect(status).toMatchObject({ pending: 0, rejected: 0, error: null });
    expect(store.get('todos', 'x')).toEqual({ title: 'theirs' });
    expect(store.get('todos', 'lost')).toEqual({ title: 'lost' });
    const history = await client.history('todos', 'x', 'title');
    expect(history.map((m) => [m.value, m.won])).toEqual([['theirs', true], ['mine', false]]);
    expect(history[1]?.hlc).not.toBe(lost);
    const other = await createSyncClient({ schema, store: createMemoryStore(), autoSync: false, now: () => T, remote: server.remote('u') });
    await other.sync();
    for (const row of ['x', 'lost', 'f']) expect(await title(other, row)).toBe(await title(client, row));
  });

  it('a write that is a copy of the lost one (the same cell and value) is left as it is', async () => {
    const { server, client, requests } = await setup();
    const id = client.clientId;
    await server.store.push('u', [{ hlc: hlc(0, id), table: 'todos', row: 'x', column: 'title', value: 'same' }]);
    const [w] = await client.update('todos', 'x', { title: 'same' });
    await client.sync();
    expect(requests).toEqual([{ pushed: 1, pending: 1 }]);
    expect((await client.history('todos', 'x', 'title')).map((m) => m.hlc)).toEqual([w?.hlc]);
  });
});
