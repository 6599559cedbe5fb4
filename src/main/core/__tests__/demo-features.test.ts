/**
 * What the core adds for watching sync, with two cores and the real server over HTTP:
 * conflicting edits reported with who won and why (to the instance that lost), rows named by
 * title and writers by device in the inspector and a cell's history, renaming an instance,
 * and the simulated network (latency, dropped requests, recovery).
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent, InspectorEntry, ReplacedNotice, SyncView } from '../../../shared/app-api.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { useRealServer } from '../../../../test-support/real-server.ts';
import type { AppCore } from '../app-core.ts';

const server = useRealServer();
const cores = useCores();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pair(user: string): Promise<[AppCore, AppCore]> {
  const token = await server.token(user);
  const open = (profile: string) => cores.open({ profile, serverUrl: server.url, token, sync: { autoSync: false } });
  return [await open('laptop'), await open('phone')];
}

const syncAll = async (...list: AppCore[]) => {
  for (const c of list) await call(c, 'syncNow');
  for (const c of list) await call(c, 'syncNow');
};

function replacedEvents(core: AppCore): ReplacedNotice[] {
  const seen: ReplacedNotice[] = [];
  core.onEvent((e: AppEvent) => {
    if (e.type === 'replaced') seen.push(...e.notices);
  });
  return seen;
}

describe('the core, for watching sync', () => {
  it('tells the instance whose edit lost who won and why; restoring writes the old value again, which wins', async () => {
    const [laptop, phone] = await pair('conflicts');
    const list = await call<Row<'lists'>>(laptop, 'create', 'lists', { name: 'Groceries' });
    const milk = await call<Row<'todos'>>(laptop, 'create', 'todos', { listId: list.id, title: 'Milk' });
    await syncAll(laptop, phone);
    const onLaptop = replacedEvents(laptop);
    const onPhone = replacedEvents(phone);

    await call(laptop, 'update', 'todos', milk.id, { title: 'Oat milk' });
    await sleep(5);
    await call(phone, 'update', 'todos', milk.id, { title: 'Whole milk' }); // later: wins
    await call(phone, 'syncNow');
    await call(laptop, 'syncNow');
    await call(phone, 'syncNow');
    await sleep(20); // the notice names the writers asynchronously

    expect(onPhone).toEqual([]); // the winner has nothing to be told
    expect(onLaptop).toHaveLength(1);
    expect(onLaptop[0]).toMatchObject({
      table: 'todos', row: milk.id, column: 'title', rowTitle: 'Whole milk',
      previous: { value: 'Oat milk', device: 'laptop' }, next: { value: 'Whole milk', device: 'phone' },
    });
    expect(onLaptop[0]!.next.hlc > onLaptop[0]!.previous.hlc).toBe(true);

    // The cell's history keeps both, named: the phone's winner, the laptop's loser, the original.
    const history = await call<InspectorEntry[]>(laptop, 'history', 'todos', milk.id, 'title');
    expect(history.map((e) => [e.value, e.won, e.device, e.rowTitle])).toEqual([
      ['Whole milk', true, 'phone', 'Whole milk'], ['Oat milk', false, 'laptop', 'Whole milk'], ['Milk', false, 'laptop', 'Whole milk'],
    ]);

    // Restore: the old value as a new write, which wins on both.
    await call(laptop, 'update', 'todos', milk.id, { title: onLaptop[0]!.previous.value });
    await syncAll(laptop, phone);
    for (const core of [laptop, phone]) expect((await call<Row<'todos'>[]>(core, 'rows', 'todos', { parent: list.id }))[0]?.title).toBe('Oat milk');
    // Internal fields are never reported (a new order key from the phone tells the laptop
    // nothing); a list's name is, when both rename it at once.
    await call(laptop, 'update', 'lists', list.id, { name: 'Food' });
    await sleep(5);
    await phone.client.set('todos', milk.id, 'order', 'a9');
    await call(phone, 'update', 'lists', list.id, { name: 'Shopping' });
    await syncAll(phone, laptop);
    await sleep(20);
    expect(onLaptop.map((n) => n.column)).toEqual(['title', 'name']);
    expect(onLaptop[1]).toMatchObject({ rowTitle: 'Shopping', previous: { value: 'Food' } });
  });

  it('names writers by device in the inspector, and a rename reaches the other instance', async () => {
    const [laptop, phone] = await pair('names');
    await call(phone, 'create', 'lists', { name: 'From the phone' });
    await syncAll(phone, laptop);
    const entry = (await call<InspectorEntry[]>(laptop, 'inspect', 50)).find((e) => e.table === 'lists' && e.column === 'name');
    expect(entry).toMatchObject({ device: 'phone', rowTitle: 'From the phone', origin: 'remote' });

    await call(phone, 'setDeviceName', '  Kitchen tablet ');
    expect(await call<SyncView>(phone, 'syncStatus')).toMatchObject({ device: 'Kitchen tablet' });
    await syncAll(phone, laptop);
    const renamed = (await call<InspectorEntry[]>(laptop, 'inspect', 50)).find((e) => e.table === 'lists' && e.column === 'name');
    expect(renamed?.device).toBe('Kitchen tablet');
    for (const bad of ['   ', 'a\u202Eb', 'x'.repeat(61)]) {
      expect(await phone.dispatch('setDeviceName', [bad])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    }
  });

  it('simulates a slow and a lossy network, and recovers', async () => {
    const [laptop] = await pair('network');
    await call(laptop, 'syncNow');
    await call(laptop, 'setNetwork', { latencyMs: 400, dropRate: 0 });
    expect((await call<SyncView>(laptop, 'syncStatus')).network).toEqual({ latencyMs: 400, dropRate: 0 });
    // What the latency does to each request is network-sim.test.ts's, on a fake clock (round 67:
    // these two syncs were timed, `>= 390 ms` and `< 300 ms`); here, that a sync through it works.
    await call(laptop, 'syncNow');

    await call(laptop, 'setNetwork', { latencyMs: 0, dropRate: 1 });
    await call(laptop, 'create', 'lists', { name: 'Waiting' });
    expect(await laptop.dispatch('syncNow', [])).toMatchObject({ ok: false, error: { code: 'offline' } });
    expect(laptop.client.status.pending).toBeGreaterThan(0);

    await call(laptop, 'setNetwork', { latencyMs: 0, dropRate: 0 });
    expect((await call<SyncView>(laptop, 'syncStatus')).network).toEqual({ latencyMs: 0, dropRate: 0 });
    await call(laptop, 'syncNow');
    expect(laptop.client.status.pending).toBe(0);
    for (const bad of [{ latencyMs: -1, dropRate: 0 }, { latencyMs: 0, dropRate: 2 }, { latencyMs: 1.5, dropRate: 0 }, { latencyMs: 0 }]) {
      expect(await laptop.dispatch('setNetwork', [bad])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    }
  });
});
