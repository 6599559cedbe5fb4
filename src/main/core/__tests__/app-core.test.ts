import { describe, expect, it } from 'vitest';
import type { AppEvent, InspectorEntry, SyncView } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';
import { NOT_CONFIGURED } from '../sync-view.ts';

const cores = useCores();

describe('app core (local, no server)', () => {
  it('creates, renames, reorders and deletes lists', async () => {
    const core = await cores.open();
    const home = await call<Row<'lists'>>(core, 'create', 'lists', { name: '  Home  ' });
    expect(home).toMatchObject({ name: 'Home' });
    expect(typeof home.createdAt).toBe('number');
    const work = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Work' });
    const errands = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Errands' });
    const names = async () => (await call<Row<'lists'>[]>(core, 'rows', 'lists', {})).map((l) => l.name);
    expect(await names()).toEqual(['Home', 'Work', 'Errands']);

    await call(core, 'move', 'lists', errands.id, 0);
    expect(await names()).toEqual(['Errands', 'Home', 'Work']);
    await call(core, 'move', 'lists', errands.id, 99);
    expect(await names()).toEqual(['Home', 'Work', 'Errands']);

    await call(core, 'update', 'lists', work.id, { name: 'Office' });
    await call(core, 'delete', 'lists', home.id);
    expect(await names()).toEqual(['Office', 'Errands']);
    // A tombstone, not a removal: the row is still there with _deleted set.
    expect(core.db.prepare('SELECT name, "_deleted" FROM lists WHERE id = ?').raw().get(home.id)).toEqual(['Home', 1]);
  });

  it('creates todos in order, renames, checks, moves and deletes them', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Groceries' });
    const other = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'Other' });
    const milk = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Milk' });
    expect(milk).toMatchObject({ listId: list.id, title: 'Milk', done: false });
    const eggs = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Eggs' });
    const bread = await call<Row<'todos'>>(core, 'create', 'todos', { listId: list.id, title: 'Bread' });
    await call<Row<'todos'>>(core, 'create', 'todos', { listId: other.id, title: 'Elsewhere' });
    const titles = async () => (await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id })).map((t) => `${t.title}${t.done ? ' ✓' : ''}`);
    expect(await titles()).toEqual(['Milk', 'Eggs', 'Bread']);

    await call(core, 'move', 'todos', bread.id, 0);
    await call(core, 'move', 'todos', milk.id, 2);
    expect(await titles()).toEqual(['Bread', 'Eggs', 'Milk']);
    await call(core, 'update', 'todos', eggs.id, { done: true });
    await call(core, 'update', 'todos', milk.id, { title: 'Oat milk' });
    expect(await titles()).toEqual(['Bread', 'Eggs ✓', 'Oat milk']);
    await call(core, 'delete', 'todos', eggs.id);
    expect(await titles()).toEqual(['Bread', 'Oat milk']);
    expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: other.id })).map((t) => t.title)).toEqual(['Elsewhere']);

    // Deleting a list hides its todos too; they are then not found.
    await call(core, 'delete', 'lists', list.id);
    expect(await core.dispatch('rows', ['todos', { parent: list.id }])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await core.dispatch('update', ['todos', bread.id, { title: 'x' }])).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('rows that have not received their name or title yet are not shown', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'L' });
    await core.client.update('lists', 'partial', { order: 'a5' });
    await core.client.update('todos', 'partial-todo', { listId: list.id, order: 'a5' });
    expect((await call<Row<'lists'>[]>(core, 'rows', 'lists', {})).map((l) => l.id)).toEqual([list.id]);
    expect(await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id })).toEqual([]);
  });

  it('shows messages in the inspector, newest first, with won/lost', async () => {
    const core = await cores.open();
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'First' });
    await call(core, 'update', 'lists', list.id, { name: 'Second' });
    const entries = await call<InspectorEntry[]>(core, 'inspect', 10);
    expect(entries[0]).toMatchObject({ table: 'lists', row: list.id, column: 'name', value: 'Second', origin: 'local', synced: false, won: true, error: null });
    const first = entries.find((e) => e.column === 'name' && e.value === 'First');
    expect(first?.won).toBe(false);
    // The list's three fields and its rename, and the device name the core published at start.
    expect(entries.map((e) => `${e.table}.${e.column}`).sort()).toEqual(['devices.name', 'lists.createdAt', 'lists.name', 'lists.name', 'lists.order']);
    expect(entries[0]!.hlc > entries[1]!.hlc).toBe(true);
  });

  it('sends data and sync events, and says why it is offline without a server', async () => {
    const core = await cores.open();
    const events: AppEvent[] = [];
    const off = core.onEvent((e) => events.push(e));
    const list = await call<Row<'lists'>>(core, 'create', 'lists', { name: 'L' });
    // The event names the row it changed: the UI re-reads that row, not the whole list.
    expect(events).toContainEqual({ type: 'data', source: 'local', tables: ['lists'], rows: { lists: [list.id] } });
    const sync = events.filter((e) => e.type === 'sync').at(-1);
    // Pending: the list's three fields, and the device name published at start.
    expect(sync).toMatchObject({ type: 'sync', sync: { pending: 4, state: 'offline', error: NOT_CONFIGURED } });

    const status = await call<SyncView>(core, 'syncStatus');
    expect(status).toMatchObject({ state: 'offline', online: true, pending: 4, error: NOT_CONFIGURED, device: 'test', network: { latencyMs: 0, dropRate: 0 } });
    expect(await core.dispatch('syncNow', [])).toMatchObject({ ok: false, error: { code: 'offline' } });
    await call(core, 'setOnline', false);
    expect(await call<SyncView>(core, 'syncStatus')).toMatchObject({ online: false });
    off();
    const count = events.length;
    await call(core, 'create', 'lists', { name: 'M' });
    expect(events).toHaveLength(count);
  });

  it('counts the rows waiting to sync, not their fields, and says whether it has a server at all', async () => {
    const local = await cores.open();
    const list = await call<Row<'lists'>>(local, 'create', 'lists', { name: 'Home' });
    for (const title of ['Milk', 'Bread']) await call(local, 'create', 'todos', { listId: list.id, title });
    await call(local, 'update', 'lists', list.id, { name: 'House' });
    // Three fields of the list and its rename, five of each todo, and the device's own name.
    expect(await call<SyncView>(local, 'syncStatus')).toMatchObject({ configured: false, pending: 1 + 3 + 1 + 5 + 5, unsentItems: 3 });
    const withServer = await cores.open({ serverUrl: 'http://127.0.0.1:9', token: 't', sync: { autoSync: false } });
    expect(await call<SyncView>(withServer, 'syncStatus')).toMatchObject({ configured: true, unsentItems: 0 });
  });

  it('info names the profile and the client', async () => {
    const core = await cores.open({ profile: 'demo-2', version: '1.2.3' });
    expect(await call(core, 'info')).toEqual({ profile: 'demo-2', clientId: core.client.clientId, serverUrl: '', serverWarning: null, version: '1.2.3' });
  });

  it('keeps everything across a restart, and only one process may hold a profile', async () => {
    const first = await cores.open();
    const list = await call<Row<'lists'>>(first, 'create', 'lists', { name: 'Kept' });
    const clientId = first.client.clientId;
    await expect(cores.open({ dir: first.dir })).rejects.toThrow(/in use by another process of this app/);
    await first.close();
    const again = await cores.open({ dir: first.dir });
    expect(again.client.clientId).toBe(clientId);
    expect(await call<Row<'lists'>[]>(again, 'rows', 'lists', {})).toEqual([list]);
    // The list's three fields and the device name, written once (not again at the restart).
    expect(again.client.status.pending).toBe(4);
    expect(messageCount(again)).toBe(4);
  });

  it('answers calls after close with an error, not a crash', async () => {
    const core = await cores.open();
    await core.close();
    expect(await core.dispatch('rows', ['lists', {}])).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
