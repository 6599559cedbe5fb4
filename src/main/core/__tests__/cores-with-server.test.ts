/**
 * Three app cores, each on its own profile directory, syncing through the real reference
 * server over HTTP (and its event stream for pokes), as three app instances side by side do.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { useRealServer } from '../../../../test-support/real-server.ts';
import type { TempDir } from '../../../../test-support/temp-dir.ts';
import type { AppCore } from '../app-core.ts';

const server = useRealServer();
const cores = useCores();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a user sees: every list and its todos, in order. */
async function snapshot(core: AppCore): Promise<unknown> {
  const lists = await call<Row<'lists'>[]>(core, 'rows', 'lists', {});
  return Promise.all(lists.map(async (l) => ({ ...l, todos: await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: l.id }) })));
}

/** Waits until every core shows the same data and has nothing left to push. */
async function converged(list: readonly AppCore[], timeoutMs = 10_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snaps = await Promise.all(list.map(snapshot));
    const same = snaps.every((s) => JSON.stringify(s) === JSON.stringify(snaps[0]));
    if (same && list.every((c) => c.client.status.pending === 0)) return snaps[0];
    if (Date.now() > deadline) {
      throw new Error(`no convergence after ${timeoutMs} ms:\n${snaps.map((s, i) => `core ${i}: ${JSON.stringify(s)}`).join('\n')}`);
    }
    await sleep(25);
  }
}

async function openUser(user: string, n: number, profile = 'demo'): Promise<(AppCore & { dir: TempDir })[]> {
  const token = await server.token(user);
  return Promise.all(Array.from({ length: n }, (_, i) => cores.open({ profile: `${profile}-${i + 1}`, serverUrl: server.url, token })));
}

describe('app cores with the real server', () => {
  it('converge after online edits on every instance', async () => {
    const [a, b, c] = await openUser('online', 3);
    const groceries = await call<Row<'lists'>>(a!, 'create', 'lists', { name: 'Groceries' });
    await converged([a!, b!, c!]);
    const milk = await call<Row<'todos'>>(b!, 'create', 'todos', { listId: groceries.id, title: 'Milk' });
    await call<Row<'todos'>>(c!, 'create', 'todos', { listId: groceries.id, title: 'Eggs' });
    await converged([a!, b!, c!]);
    await call(a!, 'update', 'todos', milk.id, { done: true });
    await call(c!, 'move', 'todos', milk.id, 1);
    await call(b!, 'update', 'lists', groceries.id, { name: 'Shopping' });
    const final = (await converged([a!, b!, c!])) as { name: string; todos: Row<'todos'>[] }[];
    expect(final).toHaveLength(1);
    expect(final[0]!.name).toBe('Shopping');
    expect(final[0]!.todos.map((t) => `${t.title}:${t.done}`)).toEqual(['Eggs:false', 'Milk:true']);
    await expect.poll(() => a!.client.status.state).toBe('idle');
    expect(a!.client.status.error).toBeNull();
  });

  it('converge after offline edits to the same field and to different fields (last writer wins)', async () => {
    const [a, b, c] = await openUser('offline', 3);
    const list = await call<Row<'lists'>>(a!, 'create', 'lists', { name: 'Home' });
    const todo = await call<Row<'todos'>>(a!, 'create', 'todos', { listId: list.id, title: 'Paint the fence' });
    await converged([a!, b!, c!]);

    await call(a!, 'setOnline', false);
    expect(a!.client.status).toMatchObject({ state: 'offline', online: false });
    await call(a!, 'update', 'todos', todo.id, { title: 'Paint the fence white' }); // same field, earlier
    await call(a!, 'update', 'todos', todo.id, { done: true }); // a field nobody else touches
    await sleep(5);
    await call(b!, 'update', 'todos', todo.id, { title: 'Paint the fence green' }); // same field, later: wins
    await call(c!, 'move', 'lists', list.id, 0);
    await sleep(5);
    await call(a!, 'update', 'lists', list.id, { name: 'House' }); // offline, but the latest write of its field
    expect(a!.client.status.pending).toBe(3);
    await sleep(100);
    expect(((await snapshot(b!)) as { name: string }[])[0]!.name).toBe('Home'); // A's edits have not left A

    await call(a!, 'setOnline', true);
    const final = (await converged([a!, b!, c!])) as { name: string; todos: Row<'todos'>[] }[];
    expect(final[0]!.name).toBe('House');
    expect(final[0]!.todos).toMatchObject([{ title: 'Paint the fence green', done: true }]);
  });

  it('converge after concurrent moves to one place; the next move between the tied rows renumbers them', async () => {
    const [a, b] = await openUser('moves', 2);
    const list = await call<Row<'lists'>>(a!, 'create', 'lists', { name: 'Moves' });
    for (const title of ['t0', 't1', 't2', 't3']) await call(a!, 'create', 'todos', { listId: list.id, title });
    const todos = (await converged([a!, b!]) as { todos: Row<'todos'>[] }[])[0]!.todos;
    const id = (title: string) => todos.find((t) => t.title === title)!.id;
    await call(a!, 'setOnline', false);
    await call(b!, 'setOnline', false);
    // Both put a row between t0 and t1: the same key, from the same neighbours.
    await call(a!, 'move', 'todos', id('t3'), 1);
    await call(b!, 'move', 'todos', id('t2'), 1);
    await call(a!, 'setOnline', true);
    await call(b!, 'setOnline', true);
    const tied = ((await converged([a!, b!])) as { todos: Row<'todos'>[] }[])[0]!.todos;
    const pair = [id('t2'), id('t3')].sort();
    expect(tied.map((t) => t.id)).toEqual([id('t0'), ...pair, id('t1')]);
    expect(tied[1]!.order).toBe(tied[2]!.order);
    // No key between equal keys: the list is renumbered, in the order asked.
    await call(b!, 'move', 'todos', id('t1'), 2);
    const final = ((await converged([a!, b!])) as { todos: Row<'todos'>[] }[])[0]!.todos;
    expect(final.map((t) => t.id)).toEqual([id('t0'), pair[0], id('t1'), pair[1]]);
    expect(new Set(final.map((t) => t.order)).size).toBe(4);
  });

  // Undo of a list's delete made the list and its todos again, one create each: new ids and
  // creation times, and a todo another device added meanwhile never came back.
  it('a restored list is the same list on every instance, with every todo its delete hid', async () => {
    const [a, b] = await openUser('restore', 2);
    const trip = await call<Row<'lists'>>(a!, 'create', 'lists', { name: 'Trip' });
    const passport = await call<Row<'todos'>>(a!, 'create', 'todos', { listId: trip.id, title: 'Passport' });
    const tickets = await call<Row<'todos'>>(a!, 'create', 'todos', { listId: trip.id, title: 'Tickets' });
    await call(a!, 'delete', 'todos', tickets.id); // deleted on its own: it stays deleted
    await converged([a!, b!]);
    await call(b!, 'setOnline', false);
    await call(b!, 'create', 'todos', { listId: trip.id, title: 'Sunscreen' }); // before b learns of the delete
    await call(a!, 'delete', 'lists', trip.id);
    await expect(a!.dispatch('restore', ['todos', passport.id])).resolves.toMatchObject({ ok: false, error: { code: 'not_found' } });
    await call(b!, 'setOnline', true);
    await converged([a!, b!]);
    expect(await call(b!, 'rows', 'lists', {})).toEqual([]);
    expect(await call<Row<'lists'>>(a!, 'restore', 'lists', trip.id)).toEqual(trip);
    expect(await call<Row<'lists'>>(a!, 'restore', 'lists', trip.id)).toEqual(trip); // twice: it is back already
    const final = (await converged([a!, b!])) as (Row<'lists'> & { todos: Row<'todos'>[] })[];
    expect(final.map(({ todos, ...list }) => [list, todos.map((t) => t.title)])).toEqual([[trip, ['Passport', 'Sunscreen']]]);
    expect(final[0]!.todos[0]).toEqual(passport);
  });

  it('an instance restarted with pending changes syncs them', async () => {
    const [a, b] = await openUser('restart', 2);
    const list = await call<Row<'lists'>>(a!, 'create', 'lists', { name: 'Trip' });
    await converged([a!, b!]);
    await call(a!, 'setOnline', false);
    await call(a!, 'create', 'todos', { listId: list.id, title: 'Passport' });
    await call(a!, 'update', 'lists', list.id, { name: 'Trip to Lisbon' });
    expect(a!.client.status.pending).toBeGreaterThan(0);
    await a!.close(); // quit with changes the server has not seen

    const token = await server.token('restart');
    const again = await cores.open({ dir: a!.dir, profile: 'restart-1', serverUrl: server.url, token });
    expect(again.client.status.pending).toBeGreaterThan(0);
    const final = (await converged([again, b!])) as { name: string; todos: Row<'todos'>[] }[];
    expect(final[0]!.name).toBe('Trip to Lisbon');
    expect(final[0]!.todos.map((t) => t.title)).toEqual(['Passport']);
  });

  it('a bad token shows as unauthorized; local writes keep working', async () => {
    const core = await cores.open({ serverUrl: server.url, token: 'not-a-token' });
    await call(core, 'create', 'lists', { name: 'Still works' });
    await expect.poll(() => core.client.status.state, { timeout: 5000 }).toBe('unauthorized');
    expect(await core.dispatch('syncNow', [])).toEqual({ ok: true, value: undefined });
    expect((await call<Row<'lists'>[]>(core, 'rows', 'lists', {})).map((l) => l.name)).toEqual(['Still works']);
  });
});
