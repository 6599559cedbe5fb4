/**
 * Which instances hear of a replaced value (audit D, finding 2): only the one whose edit a
 * concurrent write overwrote, never for a plain later edit, never a third instance that
 * wrote neither value. Three cores of one user on a server in this process, on one clock
 * that the test moves.
 */
import { describe, expect, it } from 'vitest';
import { createInProcessServer } from 'fieldsync/testing';
import type { AppEvent, DeletedEditNotice, ReplacedNotice } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import type { AppCore } from '../app-core.ts';

const cores = useCores();

async function setUp() {
  const clock = { t: Date.now() };
  const server = createInProcessServer({ now: () => clock.t });
  const open = async (profile: string, dir?: Awaited<ReturnType<typeof cores.open>>['dir']) => {
    const core = await cores.open({ profile, remote: server.remote('u'), now: () => clock.t, sync: { autoSync: false }, ...(dir ? { dir } : {}) });
    const heard: ReplacedNotice[] = [];
    const deleted: DeletedEditNotice[] = [];
    core.onEvent((e: AppEvent) => void (e.type === 'replaced' && heard.push(...e.notices)));
    core.onEvent((e: AppEvent) => void (e.type === 'deletedEdits' && deleted.push(...e.notices)));
    return Object.assign(core, { heard, deleted });
  };
  const [laptop, phone, tablet] = [await open('laptop'), await open('phone'), await open('tablet')];
  /** Moves the clock, then syncs each core in turn, a few milliseconds apart. */
  const sync = async (...list: AppCore[]) => {
    for (const core of list) {
      clock.t += 20;
      await call(core, 'syncNow');
    }
  };
  const list = await call<Row<'lists'>>(laptop, 'create', 'lists', { name: 'Groceries' });
  const milk = await call<Row<'todos'>>(laptop, 'create', 'todos', { listId: list.id, title: 'Milk' });
  await sync(laptop, phone, tablet, laptop);
  clock.t += 10_000;
  const rename = (core: AppCore, title: string) => call(core, 'update', 'todos', milk.id, { title });
  const settle = () => new Promise((r) => setTimeout(r, 30)); // the notices name their writers asynchronously
  return { clock, open, laptop, phone, tablet, sync, rename, settle, milk };
}

describe('notices of replaced values', () => {
  it('are not given for a plain later edit: a device that had the value changed it', async () => {
    const { laptop, phone, tablet, sync, rename, settle, milk } = await setUp();
    await rename(phone, 'Oat milk');
    await call(phone, 'update', 'todos', milk.id, { done: true });
    await sync(phone, laptop, tablet);
    await settle();
    expect((await call<Row<'todos'>[]>(laptop, 'rows', 'todos', { parent: milk.listId }))[0]).toMatchObject({ title: 'Oat milk', done: true });
    expect([laptop.heard, phone.heard, tablet.heard]).toEqual([[], [], []]);
  });

  it('tell only the instance whose edit lost when two edit at once, one of them before it synced', async () => {
    const { clock, laptop, phone, tablet, sync, rename, settle } = await setUp();
    await rename(laptop, 'Oat milk'); // not synced yet
    clock.t += 1_000;
    await rename(phone, 'Whole milk'); // later: wins
    await sync(phone, laptop, phone, tablet);
    await settle();
    expect(laptop.heard).toMatchObject([{ column: 'title', previous: { value: 'Oat milk', device: 'laptop' }, next: { value: 'Whole milk', device: 'phone' } }]);
    expect([phone.heard, tablet.heard]).toEqual([[], []]);
  });

  it('tell the instance whose synced edit another overwrote before that edit could reach it', async () => {
    const { clock, laptop, phone, sync, rename, settle } = await setUp();
    await rename(laptop, 'Oat milk');
    await sync(laptop);
    clock.t += 500; // the phone has not pulled it yet
    await rename(phone, 'Whole milk');
    await sync(phone, laptop);
    await settle();
    expect(laptop.heard.map((n) => n.next.value)).toEqual(['Whole milk']);
  });

  it('tell the instance whose edit was overwritten by one made offline and sent later', async () => {
    const { clock, laptop, phone, tablet, sync, rename, settle } = await setUp();
    await rename(laptop, 'Oat milk');
    await sync(laptop);
    clock.t += 5_000;
    await rename(phone, 'Whole milk'); // offline: sent only 4 s later
    clock.t += 4_000;
    await sync(phone, laptop, tablet);
    await settle();
    expect(laptop.heard.map((n) => n.next.value)).toEqual(['Whole milk']);
    expect(tablet.heard).toEqual([]);
  });

  it('tell an instance restarted with an unsynced edit that lost', async () => {
    const { clock, open, laptop, phone, sync, rename, settle } = await setUp();
    await rename(laptop, 'Oat milk');
    await laptop.close();
    const again = await open('laptop', laptop.dir);
    clock.t += 1_000;
    await rename(phone, 'Whole milk');
    await sync(phone, again);
    await settle();
    expect(again.heard.map((n) => [n.previous.value, n.next.value])).toEqual([['Oat milk', 'Whole milk']]);
  });
});

describe('notices of edits a delete elsewhere hid (lost-edits.ts)', () => {
  const tick = (core: AppCore, id: string) => call(core, 'update', 'todos', id, { done: true });

  it('tell the instance whose offline edit of a row another deleted meanwhile, naming the field and the deleter', async () => {
    const { clock, laptop, phone, tablet, sync, settle, milk } = await setUp();
    await call(laptop, 'delete', 'todos', milk.id);
    await sync(laptop);
    clock.t += 5_000;
    await tick(phone, milk.id); // offline: the delete has not reached it
    await sync(phone, tablet, laptop);
    await settle();
    expect(await call<Row<'todos'>[]>(phone, 'rows', 'todos', { parent: milk.listId })).toEqual([]);
    expect(phone.deleted).toMatchObject([{ table: 'todos', row: milk.id, rowTitle: 'Milk', columns: ['done'], below: [], device: 'laptop' }]);
    expect([laptop.deleted, tablet.deleted, phone.heard]).toEqual([[], [], []]);
    // Restoring brings the row back with the edit in it, everywhere.
    await call(phone, 'restore', 'todos', milk.id);
    await sync(phone, laptop);
    expect((await call<Row<'todos'>[]>(laptop, 'rows', 'todos', { parent: milk.listId }))[0]).toMatchObject({ title: 'Milk', done: true });
    expect(phone.deleted).toHaveLength(1); // told once
  });

  it('tell the instance whose synced edit a delete made offline earlier elsewhere hid, when the delete arrives later', async () => {
    const { clock, laptop, phone, tablet, sync, settle, milk } = await setUp();
    await call(laptop, 'delete', 'todos', milk.id); // offline: not synced until after the tick
    clock.t += 5_000;
    await tick(phone, milk.id);
    await sync(phone); // the tick reaches the server: it is no longer pending
    clock.t += 5_000;
    await sync(laptop, phone, tablet);
    await settle();
    expect(await call<Row<'todos'>[]>(phone, 'rows', 'todos', { parent: milk.listId })).toEqual([]);
    expect(phone.deleted).toMatchObject([{ table: 'todos', row: milk.id, rowTitle: 'Milk', columns: ['done'], below: [], device: 'laptop' }]);
    expect([laptop.deleted, tablet.deleted]).toEqual([[], []]);
  });

  it('tell the instance whose synced edit of a row below one deleted offline earlier elsewhere went with it', async () => {
    const { clock, laptop, phone, sync, settle, milk } = await setUp();
    await call(laptop, 'delete', 'lists', milk.listId);
    clock.t += 5_000;
    await tick(phone, milk.id);
    await sync(phone, laptop, phone);
    await settle();
    expect(phone.deleted).toMatchObject([{ table: 'lists', row: milk.listId, rowTitle: 'Groceries', columns: [], below: [{ table: 'todos', rows: 1 }], device: 'laptop' }]);
    expect(laptop.deleted).toEqual([]);
  });

  it('tell an instance restarted since its edit reached the server, when a delete made offline earlier elsewhere arrives', async () => {
    const { clock, open, laptop, phone, sync, settle, milk } = await setUp();
    await call(laptop, 'delete', 'todos', milk.id); // offline
    clock.t += 5_000;
    await tick(phone, milk.id);
    await sync(phone);
    await phone.close();
    const again = await open('phone', phone.dir);
    clock.t += 5_000;
    await sync(laptop, again);
    await settle();
    expect(again.deleted).toMatchObject([{ table: 'todos', row: milk.id, rowTitle: 'Milk', columns: ['done'], device: 'laptop' }]);
  });

  it('say nothing when the deleter had the edit: it deleted the row on purpose', async () => {
    const { clock, laptop, phone, sync, settle, milk } = await setUp();
    await tick(phone, milk.id);
    await sync(phone, laptop);
    clock.t += 10_000;
    await call(laptop, 'delete', 'todos', milk.id);
    await sync(laptop, phone);
    await settle();
    expect(await call<Row<'todos'>[]>(phone, 'rows', 'todos', { parent: milk.listId })).toEqual([]);
    expect(phone.deleted).toEqual([]);
  });

  it('say nothing to an instance that deleted the row itself meanwhile, after editing it', async () => {
    const { clock, laptop, phone, sync, settle, milk } = await setUp();
    await tick(phone, milk.id);
    await call(phone, 'delete', 'todos', milk.id);
    clock.t += 1_000;
    await call(laptop, 'delete', 'todos', milk.id); // later: its tombstone wins
    await sync(laptop, phone);
    await settle();
    expect(phone.deleted).toEqual([]);
    // And a list deleted on both, with a todo of it ticked here first.
    await call(phone, 'create', 'todos', { listId: milk.listId, title: 'Bread' });
    await call(phone, 'delete', 'lists', milk.listId);
    clock.t += 1_000;
    await call(laptop, 'delete', 'lists', milk.listId);
    await sync(laptop, phone);
    await settle();
    expect(phone.deleted).toEqual([]);
  });

  it('tell the instance whose offline edits of rows below a row another deleted went with it, a todo added offline too', async () => {
    const { clock, laptop, phone, sync, settle, milk } = await setUp();
    await call(laptop, 'delete', 'lists', milk.listId);
    await sync(laptop);
    clock.t += 5_000;
    await tick(phone, milk.id);
    await call(phone, 'create', 'todos', { listId: milk.listId, title: 'Bread' });
    await sync(phone);
    await settle();
    expect(phone.deleted).toMatchObject([{ table: 'lists', row: milk.listId, rowTitle: 'Groceries', columns: [], below: [{ table: 'todos', rows: 2 }], device: 'laptop' }]);
    await call(phone, 'restore', 'lists', milk.listId);
    await sync(phone, laptop);
    expect((await call<Row<'todos'>[]>(laptop, 'rows', 'todos', { parent: milk.listId })).map((t) => [t.title, t.done])).toEqual([['Milk', true], ['Bread', false]]);
  });
});
