import { describe, expect, it, vi } from 'vitest';
import { FieldsyncError, SchemaError, StoreError, ValidationError, createHttpRemote, createSyncClient, defineSchema, type ChangeEvent, type SyncClient, type SyncStore } from '../index.ts';
import { ClosedError } from '../errors.ts';
import { newClientId } from '../client-state.ts';
import { formatHlc } from '../hlc.ts';
import { DEFAULT_MAX_DRIFT_MS } from '../protocol.ts';
import type { Commit, StoreState } from '../store.ts';
import { createInProcessServer } from '../testing/index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { ScriptedRemote, T0, asyncStore, memory, schema } from './harness/test-kit.ts';

describe('local writes', () => {
  it('set, update and delete write messages and data at once, and say what changed', async () => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    const events: ChangeEvent[] = [];
    client.on('change', (e) => events.push(e));
    const [m] = await client.update('todos', 't1', { title: 'Buy milk', done: false });
    await client.set('todos', 't1', 'done', true);
    await client.delete('todos', 't2');
    expect(store.get('todos', 't1')).toEqual({ title: 'Buy milk', done: true });
    expect(store.get('todos', 't2')).toEqual({ _deleted: true });
    expect(store.rows('todos').has('t2')).toBe(false);
    expect(m).toMatchObject({ table: 'todos', row: 't1', column: 'title', value: 'Buy milk' });
    expect(m?.hlc.endsWith(client.clientId)).toBe(true);
    expect(events).toEqual([
      { source: 'local', changes: { todos: ['t1'] } },
      { source: 'local', changes: { todos: ['t1'] } },
      { source: 'local', changes: { todos: ['t2'] } },
    ]);
    expect(client.status.pending).toBe(4);
    const pending = await store.messages({ kind: 'pending', limit: 10 });
    expect(pending.map((p) => p.hlc)).toEqual([...pending.map((p) => p.hlc)].sort());
    await client.close();
  });

  // docs/api.md's quick example: a delete undone is the same row back, on every device.
  it('undoes a delete with a newer _deleted: false, which another device takes too', async () => {
    const server = createInProcessServer();
    const a = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    const bStore = memory();
    const b = await createSyncClient({ schema, store: bStore, remote: server.remote('u'), autoSync: false });
    await a.update('todos', 't1', { title: 'Buy milk', done: true });
    await a.delete('todos', 't1');
    await a.sync();
    await b.sync();
    expect(bStore.rows('todos').has('t1')).toBe(false);
    await a.set('todos', 't1', '_deleted', false);
    await a.sync();
    await b.sync();
    expect(bStore.rows('todos').get('t1')).toEqual({ title: 'Buy milk', done: true, _deleted: false });
    await Promise.all([a.close(), b.close()]);
  });

  it.each([
    ['an unknown table', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('nope', 'r', 'title', 'x'), SchemaError],
    ['an unknown column', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', 'nope', 'x'), SchemaError],
    ['a wrong type', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', 'done', 'yes'), SchemaError],
    ['a string over maxLength', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', 'title', 'x'.repeat(201)), SchemaError],
    ['null in a non-nullable column', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', 'title', null), SchemaError],
    ['an empty row id', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', '', 'title', 'x'), ValidationError],
    ['a row id of 129 characters', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r'.repeat(129), 'title', 'x'), ValidationError],
    ['no fields', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'r', {}), ValidationError],
    ['fields that are not an object', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'r', [] as never), ValidationError],
    ['fields that are null', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'r', null as never), ValidationError],
    ['fields that are a string', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'r', 'title' as never), ValidationError],
    ['an update of an unknown table', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('nope', 'r', { title: 'x' }), SchemaError],
    ['an update with an empty row id', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', '', { title: 'x' }), ValidationError],
    ['an update with a row id holding U+0000', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'a\u0000b', { title: 'x' }), ValidationError],
    ['a delete with an empty row id', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.delete('todos', ''), ValidationError],
    ['one bad field among good ones', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.update('todos', 'r', { title: 'ok', done: 'no' as never }), SchemaError],
    ['_deleted that is not a boolean', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', '_deleted', 1 as never), SchemaError],
    ['a value that is not JSON', (c: Awaited<ReturnType<typeof createSyncClient>>) => c.set('todos', 'r', 'rank', NaN), SchemaError],
  ])('refuses %s with a typed error and writes nothing', async (_name, write, type) => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const events: unknown[] = [];
    client.on('change', (e) => events.push(e));
    await expect(write(client)).rejects.toBeInstanceOf(type);
    expect(await store.messages({ kind: 'recent', limit: 10 })).toEqual([]);
    expect(store.rows('todos').size).toBe(0);
    expect(client.status.pending).toBe(0);
    expect(events).toEqual([]);
    await client.close();
  });

  it('a store that fails leaves nothing half-written and reports a StoreError', async () => {
    const inner = memory();
    let fail = false;
    const store: SyncStore = { ...inner, commit: (c) => { if (fail) throw new Error('disk full'); return inner.commit(c); } };
    const client = await createSyncClient({ schema, store, autoSync: false });
    await client.set('todos', 't1', 'title', 'kept');
    fail = true;
    const err = await client.update('todos', 't1', { title: 'lost', done: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).cause).toEqual(new Error('disk full'));
    expect(inner.get('todos', 't1')).toEqual({ title: 'kept' });
    expect(client.status.pending).toBe(1);
    fail = false;
    await client.set('todos', 't1', 'done', true);
    expect(client.status.pending).toBe(2);
    await client.close();
  });

  it('writes made after a restart are newer than everything stored, even with a clock that went back', async () => {
    const store = memory();
    const first = await createSyncClient({ schema, store, autoSync: false, now: () => T0 + 60_000 });
    const old = await first.set('todos', 't1', 'title', 'before');
    await first.close();
    const second = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    expect(second.clientId).toBe(first.clientId);
    const next = await second.set('todos', 't1', 'title', 'after');
    expect(next.hlc > old.hlc).toBe(true);
    expect(store.get('todos', 't1')).toEqual({ title: 'after' });
    await second.close();
  });

  it('works the same with an asynchronous store', async () => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: asyncStore(inner), autoSync: false });
    await Promise.all([
      client.set('todos', 'a', 'title', 'one'),
      client.set('todos', 'a', 'title', 'two'),
      client.update('todos', 'b', { title: 'three', done: true }),
    ]);
    expect(inner.get('todos', 'a')).toEqual({ title: 'two' });
    expect(inner.get('todos', 'b')).toEqual({ title: 'three', done: true });
    expect(client.status.pending).toBe(4);
    await client.close();
  });

  it('writes -0 as 0, as every other device gets it (JSON has no -0)', async () => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const [m] = await client.update('todos', 't1', { rank: -0 });
    const n = await client.set('todos', 't2', 'rank', -0);
    expect(Object.is(store.get('todos', 't1')?.rank, 0)).toBe(true);
    expect(Object.is(store.get('todos', 't2')?.rank, 0)).toBe(true);
    expect(Object.is(m?.value, 0) && Object.is(n?.value, 0)).toBe(true);
    await client.close();
  });

  it('history() takes three strings', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    for (const args of [[1, 'r', 'title'], ['todos', null, 'title'], ['todos', 'r', undefined]]) {
      await expect((client as SyncClient).history(...(args as [string, string, string]))).rejects.toBeInstanceOf(FieldsyncError);
    }
    await client.close();
  });

  it('pushes a backlog under the request limits in one request', async () => {
    const remote = new ScriptedRemote();
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false });
    for (let i = 0; i < 300; i++) await client.set('todos', `t${i}`, 'title', `a title of some length, number ${i}`);
    await client.sync(); // 300 messages, about 40 kB: within the default 1 MiB and 1,000 messages
    expect(remote.requests.map((r) => r.messages?.length ?? 0)).toEqual([300]);
    await client.close();
  });

  it('after close, writes and syncs are refused with ClosedError', async () => {
    const client = await createSyncClient({ schema, store: memory(), remote: new ScriptedRemote() });
    await client.close();
    await expect(client.set('todos', 'a', 'title', 'x')).rejects.toBeInstanceOf(ClosedError);
    await expect(client.sync()).rejects.toBeInstanceOf(ClosedError);
  });

  it('close() waits for the store operations already queued: the app may close its database right after', async () => {
    const store = memory();
    const client = await createSyncClient({ schema, store: asyncStore(store), autoSync: false });
    const writes = [client.set('todos', 'a', 'title', '1'), client.update('todos', 'b', { title: '2', done: true }), client.delete('todos', 'a')];
    let settled = 0;
    for (const w of writes) void w.then(() => settled++);
    await client.close();
    expect(settled).toBe(3);
    expect(store.get('todos', 'b')).toEqual({ title: '2', done: true });
    expect(store.get('todos', 'a')).toEqual({ title: '1', _deleted: true });
  });

  it('refuses bad options with typed errors', async () => {
    await expect(createSyncClient({ schema: {} as never, store: memory() })).rejects.toBeInstanceOf(FieldsyncError);
    await expect(createSyncClient({ schema, store: {} as never })).rejects.toBeInstanceOf(FieldsyncError);
    await expect(createSyncClient(null as never)).rejects.toBeInstanceOf(FieldsyncError);
    await expect(createSyncClient({ schema, store: null as never })).rejects.toBeInstanceOf(FieldsyncError);
    await expect(createSyncClient({ schema, store: memory(), remote: null as never })).rejects.toBeInstanceOf(FieldsyncError);
    for (const bad of [-1, 'x', Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(createSyncClient({ schema, store: memory(), debounceMs: bad as never })).rejects.toBeInstanceOf(FieldsyncError);
    }
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    expect(() => client.on('nope' as never, () => {})).toThrow(FieldsyncError);
    expect(() => client.setOnline('yes' as never)).toThrow(FieldsyncError);
    await client.close();
  });
});

describe('schema evolution', () => {
  it('keeps messages for unknown columns and applies them once a later schema declares them', async () => {
    const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean', rank: 'integer', color: 'string' }, lists: { name: 'string' } } });
    const server = createInProcessServer();
    const newer = await createSyncClient({ schema: v2, store: memory(), remote: server.remote(), autoSync: false });
    await newer.update('todos', 't1', { title: 'Paint', color: 'red' });
    await newer.sync();

    const store = memory();
    const older = await createSyncClient({ schema, store, remote: server.remote(), autoSync: false });
    await older.sync();
    expect(store.get('todos', 't1')).toEqual({ title: 'Paint' });
    expect((await store.messages({ kind: 'unapplied' })).map((m) => [m.column, m.error])).toEqual([['color', 'unknown column todos.color']]);
    await older.close();

    const upgraded = await createSyncClient({ schema: v2, store, remote: server.remote(), autoSync: false });
    expect(store.get('todos', 't1')).toEqual({ title: 'Paint', color: 'red' });
    expect(await store.messages({ kind: 'unapplied' })).toEqual([]);
    await upgraded.close();
    await newer.close();
  });

  it('a kept message that a later schema still refuses is kept with the new reason', async () => {
    const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean', rank: 'integer', note: 'string' }, lists: { name: 'string' } } });
    const store = memory();
    const hlc = (ms: number) => formatHlc({ millis: ms, counter: 0, clientId: 'other' });
    store.open(schema);
    await store.commit({
      insert: [
        { hlc: hlc(T0), table: 'todos', row: 't', column: 'note', value: 5, local: false, synced: true, applied: false, error: 'unknown column todos.note' },
        { hlc: hlc(T0 + 1), table: 'boards', row: 'b', column: 'name', value: 'x', local: false, synced: true, applied: false, error: 'unknown table boards' },
        { hlc: hlc(T0 + 2), table: 'todos', row: 't', column: 'note', value: 'fine', local: false, synced: true, applied: false, error: 'unknown column todos.note' },
      ],
      meta: { schemaVersion: '1', clientId: 'me' },
    });
    const commits: Commit[] = [];
    const client = await createSyncClient({ schema: v2, store: { ...store, commit: (c) => (commits.push(c), store.commit(c)) }, autoSync: false });
    expect(store.get('todos', 't')).toEqual({ note: 'fine' });
    expect((await store.messages({ kind: 'unapplied' })).map((m) => [m.value, m.error])).toEqual([
      [5, 'todos.note must be a string'],
      ['x', 'unknown table boards'],
    ]);
    // Only the messages whose outcome changed are written again: not the one still refused for the same reason.
    expect(commits[0]?.update?.map((u) => u.hlc)).toEqual([hlc(T0), hlc(T0 + 2)]);
    await client.close();
  });

  it('re-examines kept messages when what the schema declares changes under the same version, and only then', async () => {
    const short = defineSchema({ version: 1, tables: { todos: { title: { type: 'string', maxLength: 3 } } } });
    const long = defineSchema({ version: 1, tables: { todos: { title: { type: 'string', maxLength: 30 } } } });
    const store = memory();
    const hlc = formatHlc({ millis: T0, counter: 0, clientId: 'other' });
    store.open(short);
    await store.commit({
      insert: [{ hlc, table: 'todos', row: 't', column: 'title', value: 'Paint', local: false, synced: true, applied: false, error: 'todos.title is longer than 3 characters' }],
      meta: { clientId: 'me' },
    });
    await (await createSyncClient({ schema: short, store, autoSync: false })).close();
    const commits: Commit[] = [];
    const counted: SyncStore = { ...store, commit: (c) => (commits.push(c), store.commit(c)) };
    await (await createSyncClient({ schema: short, store: counted, autoSync: false })).close();
    expect(commits).toEqual([]); // the same schema again: nothing to look at, nothing written
    expect(store.get('todos', 't')).toBeUndefined();
    await (await createSyncClient({ schema: long, store, autoSync: false })).close();
    expect(store.get('todos', 't')).toEqual({ title: 'Paint' });
    expect(await store.messages({ kind: 'unapplied' })).toEqual([]);
  });

  it('a kept message applies only if it still wins its cell', async () => {
    const v2 = defineSchema({ version: 2, tables: { todos: { title: 'string', done: 'boolean', rank: 'integer', note: 'string' }, lists: { name: 'string' } } });
    const store = memory();
    const hlc = (ms: number, c: string) => formatHlc({ millis: ms, counter: 0, clientId: c });
    store.open(schema);
    await store.commit({
      insert: [
        { hlc: hlc(T0, 'other'), table: 'todos', row: 't', column: 'note', value: 'old', local: false, synced: true, applied: false, error: 'unknown column todos.note' },
        { hlc: hlc(T0 + 5, 'third'), table: 'todos', row: 't', column: 'note', value: 'newer', local: false, synced: true, applied: false, error: 'unknown column todos.note' },
      ],
      meta: { schemaVersion: '1', clientId: 'me' },
    });
    const client = await createSyncClient({ schema: v2, store, autoSync: false });
    expect(store.get('todos', 't')).toEqual({ note: 'newer' });
    await client.close();
  });
});

describe('a broken custom store', () => {
  it.each([
    ['open() throws', (s: SyncStore): SyncStore => ({ ...s, open: () => { throw new TypeError('cannot read file'); } }), 'open'],
    ['open() returns nonsense', (s: SyncStore): SyncStore => ({ ...s, open: () => ({ meta: null }) as never }), 'open'],
    // The store opens for real (so that the rest of it works), and answers one field wrong.
    ['open() returns a maxHlc that is not one', (s: SyncStore): SyncStore => ({ ...s, open: (sc) => ({ ...(s.open(sc) as StoreState), maxHlc: '2026-02-30T00:00:00.000Z-0000-a' }) }), 'open'],
    ['open() returns a negative pendingCount', (s: SyncStore): SyncStore => ({ ...s, open: (sc) => ({ ...(s.open(sc) as StoreState), pendingCount: -1 }) }), 'open'],
    ['messages() returns no array', (s: SyncStore): SyncStore => ({ ...s, messages: () => 'nope' as never }), 'open'],
    ['messages() returns an object that is not an array', (s: SyncStore): SyncStore => ({ ...s, messages: () => ({}) as never }), 'open'],
    ['open() returns a meta that is not an object', (s: SyncStore): SyncStore => ({ ...s, open: (sc) => ({ ...(s.open(sc) as StoreState), meta: 'v1' as never }) }), 'open'],
  ])('%s: createSyncClient rejects with a StoreError', async (_name, breakIt) => {
    await expect(createSyncClient({ schema, store: breakIt(memory()), autoSync: false })).rejects.toBeInstanceOf(StoreError);
  });

  it.each([
    ['cursor', 'abc'], ['cursor', '12abc'], ['cursor', 'abc12'], ['cursor', ' 12'], ['cursor', ''], ['cursor', '1.5'],
    ['cursor', '9007199254740993'], ['lastSyncAt', '1e12'], ['clockOffset', '0x10'], ['clientId', 'not an id!'],
    // Round 55: a negative cursor (a store that writes -1 for "none") opened, and every sync
    // failed for good, the server refusing the request ("cursor must be an integer >= 0").
    ['cursor', '-1'],
  ])('a store whose meta holds %s %j: createSyncClient rejects with a StoreError', async (key, value) => {
    const inner = memory();
    const store: SyncStore = { ...inner, open: (sc) => {
      const state = inner.open(sc) as StoreState;
      return { ...state, meta: { ...state.meta, [key]: value } };
    } };
    await expect(createSyncClient({ schema, store, autoSync: false })).rejects.toBeInstanceOf(StoreError);
  });

  it('says which meta entry is invalid, and what it holds (its first 40 characters)', async () => {
    const opened = (meta: Record<string, string>): Promise<unknown> => {
      const inner = memory();
      const store: SyncStore = { ...inner, open: (sc) => {
        const state = inner.open(sc) as StoreState;
        return { ...state, meta: { ...state.meta, ...meta } };
      } };
      return createSyncClient({ schema, store, autoSync: false }).then(() => null, (err: unknown) => err);
    };
    expect(await opened({ cursor: '12abc' })).toMatchObject({ name: 'StoreError', message: 'the store holds an invalid cursor: 12abc' });
    expect(await opened({ lastSyncAt: `x${'9'.repeat(60)}` })).toMatchObject({ message: `the store holds an invalid lastSyncAt: x${'9'.repeat(39)}` });
    expect(await opened({ clientId: 'not an id!' })).toMatchObject({ name: 'StoreError', message: 'the store holds an invalid clientId' });
  });

  it('keeps a saved correction of a clock ahead by the server\'s drift limit itself, and drops one ahead by more', async () => {
    const stamped = async (clockOffset: number): Promise<number> => {
      const inner = memory();
      const store: SyncStore = { ...inner, open: (sc) => {
        const state = inner.open(sc) as StoreState;
        return { ...state, meta: { ...state.meta, clockOffset: String(clockOffset) } };
      } };
      const client = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
      const { hlc } = await client.set('todos', 't', 'title', 'x');
      await client.close();
      return Date.parse(hlc.slice(0, 24));
    };
    expect(await stamped(-DEFAULT_MAX_DRIFT_MS)).toBe(T0 - DEFAULT_MAX_DRIFT_MS);
    expect(await stamped(-DEFAULT_MAX_DRIFT_MS - 1)).toBe(T0);
  });

  it('what a store\'s meta holds is restored: the cursor, the last sync and the clock', async () => {
    const inner = memory();
    const fresh = await createSyncClient({ schema, store: inner, autoSync: false });
    expect([fresh.status.cursor, fresh.status.lastSyncAt]).toEqual([0, null]); // never synced
    await fresh.close();
    const meta = { cursor: '41', lastSyncAt: String(T0), clockOffset: '250' };
    const store: SyncStore = { ...inner, open: (sc) => {
      const state = inner.open(sc) as StoreState;
      return { ...state, meta: { ...state.meta, ...meta } };
    } };
    const client = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
    expect([client.status.cursor, client.status.lastSyncAt]).toEqual([41, T0]);
    // The saved correction of a clock that runs behind: its writes are stamped 250 ms after
    // this device's time. (One for a clock ahead is dropped: clock-restart.test.ts.)
    expect(Date.parse((await client.set('todos', 't', 'title', 'x')).hlc.slice(0, 24))).toBe(T0 + 250);
    await client.close();
  });

  it('winners() that returns no Map fails the sync with a StoreError and stores nothing', async () => {
    const server = createInProcessServer();
    const writer = await createSyncClient({ schema, store: memory(), remote: server.remote(), autoSync: false });
    await writer.set('todos', 't', 'title', 'x');
    await writer.sync();
    const inner = memory();
    const reader = await createSyncClient({ schema, store: { ...inner, winners: () => [] as never }, remote: server.remote(), autoSync: false });
    await expect(reader.sync()).rejects.toBeInstanceOf(StoreError);
    expect(reader.status.state).toBe('error');
    expect(reader.status.cursor).toBe(0);
    expect(inner.rows('todos').size).toBe(0);
    await reader.close();
    await writer.close();
  });

  it.each([
    ['a copy of a memory store', (inner: ReturnType<typeof memory>): SyncStore => ({ ...inner, winners: (cells) => new Map([...(inner.winners(cells) as Map<string, string>)].map(([k]) => [k, 'yesterday'])) })],
    ['a memory store whose winners() was replaced in place', (inner: ReturnType<typeof memory>): SyncStore => {
      const own = inner.winners.bind(inner);
      inner.winners = (cells) => new Map([...(own(cells) as Map<string, string>)].map(([k]) => [k, 'yesterday']));
      return inner;
    }],
  ])('winners() of %s that answers with something not an hlc fails the sync with a StoreError', async (_name, wrap) => {
    // The memory store's own answers are not checked again (store-guard.ts); these are not its own.
    const server = createInProcessServer({ store: createMemoryServerStore({ compaction: false }) });
    const writer = await createSyncClient({ schema, store: memory(), remote: server.remote(), autoSync: false });
    await writer.set('todos', 't', 'title', 'x');
    await writer.sync();
    await writer.set('todos', 't', 'title', 'y');
    await writer.sync();
    const inner = memory();
    const reader = await createSyncClient({ schema, store: wrap(inner), remote: server.remote(), autoSync: false, pullLimit: 1 });
    await expect(reader.sync()).rejects.toThrow(/broke its contract in winners\(\): .*yesterday.*not an hlc/);
    expect(reader.status.cursor).toBe(1);
    await reader.close();
    await writer.close();
  });

  it.each([
    ['never calls plan', (_cells: unknown, _plan: unknown) => undefined, 'it never called plan'],
    ['calls plan twice', (_cells: unknown, plan: (newest: string | null) => unknown) => {
      plan(null);
      plan(null);
    }, 'it called plan twice'],
    ['gives plan a Map instead of an hlc', (_cells: unknown, plan: (newest: unknown) => unknown) => void plan(new Map()), 'it gave plan {}, which is not an hlc'],
    ['gives plan a winner that is not an hlc', (_cells: unknown, plan: (newest: unknown) => unknown) => void plan('yesterday'), 'it gave plan "yesterday", which is not an hlc'],
  ])('transact() that %s: the write fails with a StoreError that says so', async (_name, transact, fault) => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: { ...inner, transact: transact as never }, autoSync: false });
    const err: unknown = await client.set('todos', 't', 'title', 'x').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toBe(`the store broke its contract in transact(): ${fault}`);
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it('a store with transact() gets every local write through it, async too: winners() and commit() are not called for them', async () => {
    const inner = memory();
    const calls: string[] = [];
    const store: SyncStore = asyncStore({
      ...inner,
      winners: (cells) => (calls.push('winners'), inner.winners(cells)),
      commit: (c) => (calls.push('commit'), inner.commit(c)),
    });
    store.transact = (cells, plan) => new Promise<void>((resolve) => setTimeout(() => {
      calls.push('transact');
      inner.commit(plan([...(inner.winners(cells) as ReadonlyMap<string, string>).values()].sort().pop() ?? null));
      resolve();
    }, 0));
    const client = await createSyncClient({ schema, store, autoSync: false });
    calls.length = 0;
    await client.update('todos', 't', { title: 'x', done: false });
    await client.delete('todos', 't');
    expect(calls).toEqual(['transact', 'transact']);
    expect(inner.get('todos', 't')).toEqual({ title: 'x', done: false, _deleted: true });
    expect(client.status.pending).toBe(3);
    await client.close();
  });

  it('a thrown non-error value becomes a StoreError too', async () => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: { ...inner, commit: (c) => { if (c.insert?.length) throw 'oops'; return inner.commit(c); } }, autoSync: false });
    await expect(client.set('todos', 't', 'title', 'x')).rejects.toBeInstanceOf(StoreError);
    await client.close();
  });

  it.each([
    ['no options', undefined],
    ['a store missing commit()', { schema, store: { open() {}, winners() {}, messages() {} } }],
    ['a remote without sync()', { schema, store: memory(), remote: {} }],
    ['a negative interval', { schema, store: memory(), intervalMs: -1 }],
    ['a clock that is not a function', { schema, store: memory(), now: 5 }],
  ])('createSyncClient refuses %s', async (_name, options) => {
    await expect(createSyncClient(options as never)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('a new clientId takes 16 bytes of the injected randomness, one character of [A-Za-z0-9_-] per byte', async () => {
    expect(newClientId(() => 0)).toBe('A'.repeat(16));
    expect(newClientId(() => 0.9999999)).toBe('-'.repeat(16)); // byte 255: never 256, which would wrap to 'A'
    let i = 0;
    const steps = [26, 52, 62, 63, 1, 191].map((b) => (b + 0.5) / 256); // a, 0, _, -, B, and 191 & 63 = 63: -
    expect(newClientId(() => steps[i++ % steps.length] as number)).toBe('a0_-B-a0_-B-a0_-');
    expect(newClientId(Math.random)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const client = await createSyncClient({ schema, store: memory(), autoSync: false, random: () => 0 });
    expect(client.clientId).toBe('A'.repeat(16));
    await client.close();
  });

  it('a new clientId comes from crypto.getRandomValues where the runtime has it, and from Math.random where it has none', () => {
    const fromCrypto = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      expect(newClientId(Math.random)).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(fromCrypto).toHaveBeenCalledTimes(1);
      newClientId(() => 0.5); // randomness the app injected is used as it is
      expect(fromCrypto).toHaveBeenCalledTimes(1);
    } finally {
      fromCrypto.mockRestore();
    }
    vi.stubGlobal('crypto', undefined); // a runtime without Web Crypto (an old React Native, QuickJS)
    try {
      const ids = new Set(Array.from({ length: 20 }, () => newClientId(Math.random)));
      expect([...ids].every((id) => /^[A-Za-z0-9_-]{16}$/.test(id))).toBe(true);
      expect(ids.size).toBe(20);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('every bad argument to the client or the HTTP remote is a ValidationError (invalid_argument) that says what is wrong', async () => {
    const refusals: [unknown, RegExp][] = [];
    const caught = async (f: () => unknown): Promise<unknown> => {
      try {
        await f();
      } catch (err) {
        return err;
      }
      return null;
    };
    refusals.push([await caught(() => createSyncClient({ schema, store: memory(), debounceMs: -1 })), /^createSyncClient: debounceMs must be a number of ms from 0 to 2147483647 \(about 24.8 days\)$/]);
    refusals.push([await caught(() => createHttpRemote({ url: 'ftp://x', token: 't' })), /^createHttpRemote: url must start with http/]);
    refusals.push([await caught(() => createHttpRemote({ url: 'http://x', token: 5 as never })), /token must be a string or a function/]);
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    refusals.push([await caught(() => client.set('todos', 't', 5 as never, 'x' as never)), /^column must be a string$/]);
    refusals.push([await caught(() => client.set('todos', '', 'title', 'x')), /^row must be a non-empty string$/]);
    refusals.push([await caught(() => client.update('todos', 't', [] as never)), /fields must be an object/]);
    refusals.push([await caught(() => client.setOnline('yes' as never)), /^online must be a boolean$/]);
    refusals.push([await caught(() => client.on('nope' as never, () => {})), /^unknown event: nope$/]);
    refusals.push([await caught(() => client.on('change', 5 as never)), /^listener must be a function$/]);
    refusals.push([await caught(() => client.recent(Number.NaN)), /^expected a number from 1 to 10000$/]);
    refusals.push([await caught(() => client.history('todos', 't', 5 as never)), /takes three strings/]);
    for (const [err, message] of refusals) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'invalid_argument', name: 'ValidationError', message: expect.stringMatching(message) });
    }
    await client.close();
  });
});
