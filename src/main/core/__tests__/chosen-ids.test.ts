/**
 * `create(table, fields, { id })`: a row whose id the caller chooses, for a fork that keeps
 * one row per key (a habit's check-in per date, a setting per name). Two devices creating the
 * same id merge per field; a create of a deleted row brings it back; a create of a live row
 * writes its fields over it, as another device's create would (docs/fork.md).
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';
import { useRealServer } from '../../../../test-support/real-server.ts';
import type { AppCore } from '../app-core.ts';

const server = useRealServer();
const cores = useCores();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const local = () => cores.open({ profile: 'chosen' });
const unscoped = { ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(/^A todo's chosen id is its list's id, a colon and a key/) } };

describe('create with a chosen id', () => {
  it('refuses a bad id, or an option it does not know, with invalid_argument and writes nothing', async () => {
    const core = await local();
    const before = messageCount(core);
    const bad: unknown[] = ['', 'x'.repeat(129), 'a\u0000b', 'a\ud800b', 7, null];
    for (const id of bad) {
      const envelope = await core.dispatch('create', ['lists', { name: 'L' }, { id }]);
      expect(envelope, JSON.stringify(id)).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(/argument 3: .*id/) } });
    }
    expect(await core.dispatch('create', ['lists', { name: 'L' }, { ids: 'k' }])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await core.dispatch('create', ['lists', { name: 'L' }, {}, 'extra'])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(messageCount(core)).toBe(before);
    // 128 characters (a surrogate pair is one) is the sync core's limit, and taken.
    const longest = '😀'.repeat(128);
    expect((await call<Row<'lists'>>(core, 'create', 'lists', { name: 'L' }, { id: longest })).id).toBe(longest);
    expect((await call<Row<'lists'>>(core, 'create', 'lists', { name: 'M' }, {})).id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('brings a deleted row back when it is created again, with the new fields', async () => {
    const core = await local();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Habits' });
    const key = `${list.id}:2026-12-06`;
    expect(await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Ran' }, { id: key })).toMatchObject({ id: key, title: 'Ran', done: false });
    await call(core, 'delete', 'todos', key);
    expect(await call(core, 'rows', 'todos', { parent: list.id })).toEqual([]);
    const again = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Ran again' }, { id: key });
    expect(again).toMatchObject({ id: key, title: 'Ran again' });
    expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id })).map((t) => `${t.id}:${t.title}`)).toEqual([`${key}:Ran again`]);
  });

  it('writes its fields over a live row of that id, which keeps its place and creation time', async () => {
    const core = await local();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Habits' });
    const one = `${list.id}:one`;
    const first = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'One' }, { id: one });
    await call(core, 'update', 'todos', one, { done: true });
    await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Two' });
    const again = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'One more', done: true }, { id: one });
    expect(again).toMatchObject({ id: one, title: 'One more', done: true, order: first.order, createdAt: first.createdAt });
    expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id })).map((t) => t.title)).toEqual(['One more', 'Two']);
  });

  it('refuses a create that would move a row of that id, live or deleted, to another parent', async () => {
    const core = await local();
    // Lists of chosen ids, "a" and "a:b": "a:b:t" is the key "t" of the second, not "b:t" of the first.
    const a = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'A' }, { id: 'a' });
    const b = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'B' }, { id: 'a:b' });
    expect(await core.dispatch('create', ['todos', { listId: a.id, title: 'T' }, { id: 'a:b:t' }])).toMatchObject(unscoped);
    await call(core, 'create', 'todos', { listId: b.id, title: 'T' }, { id: 'a:b:t' });
    // A row another client of the sync protocol wrote (or one created before round 59) under
    // a list its id does not name.
    await core.client.update('todos', 'a:b:u', { listId: a.id, title: 'U', done: false, order: 'a0', createdAt: 1 });
    const moved = { ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(/belongs to another list/) } };
    expect(await core.dispatch('create', ['todos', { listId: b.id, title: 'U' }, { id: 'a:b:u' }])).toMatchObject(moved);
    await call(core, 'delete', 'todos', 'a:b:u');
    expect(await core.dispatch('create', ['todos', { listId: b.id, title: 'U' }, { id: 'a:b:u' }])).toMatchObject(moved);
    expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: b.id })).map((t) => t.id)).toEqual(['a:b:t']);
  });

  it('refuses a chosen id of a row with a parent unless it is the parent’s id, a colon and a key', async () => {
    const core = await local();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Habits' });
    const before = messageCount(core);
    for (const id of ['day-1', `${list.id}day-1`, `${list.id}:`, `x${list.id}:day-1`, `${list.id}:day:1`, `other:${list.id}:day-1`]) {
      expect(await core.dispatch('create', ['todos', { listId: list.id, title: 'Ran' }, { id }]), id).toMatchObject(unscoped);
    }
    expect(messageCount(core)).toBe(before);
    expect((await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Ran' }, { id: `${list.id}:day-1` })).id).toBe(`${list.id}:day-1`);
  });
});

describe('create with a chosen id on two devices', () => {
  async function pair(user: string): Promise<[AppCore, AppCore]> {
    const token = await server.token(user);
    const [a, b] = await Promise.all([1, 2].map((i) => cores.open({ profile: `${user}-${i}`, serverUrl: server.url, token })));
    return [a!, b!];
  }
  async function settled(list: readonly AppCore[], read: (c: AppCore) => Promise<unknown>): Promise<unknown> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = await Promise.all(list.map(read));
      if (seen.every((s) => JSON.stringify(s) === JSON.stringify(seen[0])) && list.every((c) => c.client.status.pending === 0)) return seen[0];
      if (Date.now() > deadline) throw new Error(`no convergence: ${JSON.stringify(seen)}`);
      await sleep(25);
    }
  }

  it('converge to one row, each field the later write of it, when both create the same id offline', async () => {
    const [a, b] = await pair('same-id');
    const list = await call<Row<'lists'>>(a, 'create', 'lists', { name: 'Habits' });
    const todos = (c: AppCore) => call<Row<'todos'>[]>(c, 'rows', 'todos', { parent: list.id });
    await settled([a, b], (c) => call(c, 'rows', 'lists', {}));
    await call(a, 'setOnline', false);
    await call(b, 'setOnline', false);
    const day = `${list.id}:day-1`;
    await call(a, 'create', 'todos', { listId: list.id, title: 'Ran (a)' }, { id: day });
    await sleep(5);
    await call(b, 'create', 'todos', { listId: list.id, title: 'Ran (b)' }, { id: day }); // later: its title wins
    await sleep(5);
    await call(a, 'update', 'todos', day, { done: true }); // later still: a's done wins
    await call(a, 'setOnline', true);
    await call(b, 'setOnline', true);
    const final = (await settled([a, b], todos)) as Row<'todos'>[];
    expect(final.map((t) => `${t.id}|${t.title}|${t.done}`)).toEqual([`${day}|Ran (b)|true`]);
  });

  it('bring back a row one device deleted when the other creates it later, offline', async () => {
    const [a, b] = await pair('undelete');
    const list = await call<Row<'lists'>>(a, 'create', 'lists', { name: 'Habits' });
    const day = `${list.id}:day-2`;
    await call(a, 'create', 'todos', { listId: list.id, title: 'Ran' }, { id: day });
    const todos = (c: AppCore) => call<Row<'todos'>[]>(c, 'rows', 'todos', { parent: list.id });
    await settled([a, b], (c) => call(c, 'rows', 'lists', {}));
    await settled([a, b], todos);
    await call(b, 'setOnline', false);
    await call(a, 'delete', 'todos', day); // unchecked on a
    await sleep(5);
    await call(b, 'create', 'todos', { listId: list.id, title: 'Ran again' }, { id: day }); // checked again on b, later
    await call(b, 'setOnline', true);
    const final = (await settled([a, b], todos)) as Row<'todos'>[];
    expect(final.map((t) => `${t.id}|${t.title}`)).toEqual([`${day}|Ran again`]);
  });

  it('keep one row per list when both create the same key under different lists offline, each whole in its own list', async () => {
    const [a, b] = await pair('two-lists');
    const runs = await call<Row<'lists'>>(a, 'create', 'lists', { name: 'Runs' });
    const swims = await call<Row<'lists'>>(a, 'create', 'lists', { name: 'Swims' });
    const both = (c: AppCore) => Promise.all([runs, swims].map((l) => call<Row<'todos'>[]>(c, 'rows', 'todos', { parent: l.id })));
    await settled([a, b], (c) => call(c, 'rows', 'lists', {}));
    await call(a, 'setOnline', false);
    await call(b, 'setOnline', false);
    // The key alone ("2026-12-06") would have been one row under one list, its fields mixed from both.
    await call(a, 'create', 'todos', { listId: runs.id, title: 'Ran 5 km' }, { id: `${runs.id}:2026-12-06` });
    await sleep(5);
    await call(b, 'create', 'todos', { listId: swims.id, title: 'Swam 1 km' }, { id: `${swims.id}:2026-12-06` });
    await sleep(5);
    await call(a, 'update', 'todos', `${runs.id}:2026-12-06`, { done: true });
    await call(a, 'setOnline', true);
    await call(b, 'setOnline', true);
    const [ran, swam] = (await settled([a, b], both)) as [Row<'todos'>[], Row<'todos'>[]];
    expect(ran.map((t) => `${t.title}|${t.done}`)).toEqual(['Ran 5 km|true']);
    expect(swam.map((t) => `${t.title}|${t.done}`)).toEqual(['Swam 1 km|false']);
  });
});
