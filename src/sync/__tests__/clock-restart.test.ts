/**
 * The clock correction a device learnt from the server, across a restart (client-state.ts):
 * kept for a clock that runs behind, dropped for one that ran ahead by more than the server's
 * drift limit, since that one may have been put right meanwhile (the time audit's MEDIUM-2),
 * and a clock still that far ahead is caught by the server's `clock_drift` check and repaired;
 * kept for one that ran ahead by less, which the server would take as it is.
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, type SyncClient } from '../index.ts';
import { hlcMillis } from '../hlc.ts';
import type { MemoryStore } from '../memory-store.ts';
import { createInProcessServer, type InProcessServer } from '../testing/index.ts';
import { ScriptedRemote, T0, memory, schema } from './harness/test-kit.ts';

const DAY = 86_400_000;

const open = (server: InProcessServer, store: MemoryStore, now: () => number): Promise<SyncClient> =>
  createSyncClient({ schema, store, remote: new ScriptedRemote(server), autoSync: false, now });

/**
 * A server on the test's own clock (`clock.real`), and device B, which learnt its clock's
 * correction in a sync with its clock `skewBefore` off, then restarted with it `skewAfter` off.
 */
async function restarted(skewBefore: number, skewAfter: number) {
  const clock = { real: T0 };
  const server = createInProcessServer({ now: () => clock.real });
  const store = memory();
  const before = await open(server, store, () => clock.real + skewBefore);
  await before.sync();
  await before.close();
  return { clock, server, store, b: await open(server, store, () => clock.real + skewAfter) };
}

/** B, then A, then B sync; todo t's title reads `title` on both; both close. */
async function bothEndWith(title: string, [a, aStore]: [SyncClient, MemoryStore], [b, bStore]: [SyncClient, MemoryStore]): Promise<void> {
  await b.sync();
  await a.sync();
  await b.sync();
  expect(aStore.get('todos', 't')).toEqual({ title });
  expect(bStore.get('todos', 't')).toEqual({ title });
  await a.close();
  await b.close();
}

/** The hlc of `store`'s own (local) message of todo `row`'s title. */
async function ownStamp(store: MemoryStore, row: string): Promise<number> {
  const mine = (await store.messages({ kind: 'cell', table: 'todos', row, column: 'title' })).find((m) => m.local);
  return hlcMillis(mine!.hlc);
}

describe('a learnt clock correction across a restart', () => {
  it('a device whose clock ran a day ahead, then was put right, stamps its offline writes by the right clock', async () => {
    const { clock, server, store: bStore, b } = await restarted(DAY, 0); // put right, and the app restarted
    const aStore = memory();
    const a = await open(server, aStore, () => clock.real);
    clock.real += 1000;
    await a.set('todos', 't', 'title', 'A, written first');
    clock.real += 1000;
    await b.set('todos', 't', 'title', 'B, written later'); // offline
    expect(await ownStamp(bStore, 't')).toBe(T0 + 2000); // not a day in the past
    await a.sync();
    await bothEndWith('B, written later', [a, aStore], [b, bStore]);
  });

  it('a device whose clock still runs a day ahead after the restart has its writes moved back at the next sync', async () => {
    const { clock, server, store: bStore, b } = await restarted(DAY, DAY);
    await b.set('todos', 't', 'title', 'B, written first'); // offline, stamped a day ahead
    clock.real += 1500;
    const aStore = memory();
    const a = await open(server, aStore, () => clock.real);
    await a.set('todos', 't', 'title', 'A, written later');
    await a.sync();
    clock.real += 10_000;
    await b.sync(); // clock_drift: corrected again, the write moved back to when it was made
    expect(b.status).toMatchObject({ pending: 0, rejected: 0, error: null });
    expect(await ownStamp(bStore, 't')).toBe(T0);
    await bothEndWith('A, written later', [a, aStore], [b, bStore]);
  });

  it('a device whose clock ran 4 minutes ahead (within the drift limit) keeps its correction: still ahead, its offline write loses to a later one', async () => {
    const { clock, server, store: bStore, b } = await restarted(240_000, 240_000);
    clock.real += 1000;
    await b.set('todos', 't', 'title', 'B, written first'); // offline
    expect(await ownStamp(bStore, 't')).toBe(T0 + 1000);
    clock.real += 60_000;
    const aStore = memory();
    const a = await open(server, aStore, () => clock.real);
    await a.set('todos', 't', 'title', 'A, written a minute later');
    await bothEndWith('A, written a minute later', [a, aStore], [b, bStore]);
  });

  it('a device whose clock runs a day behind keeps its correction: its offline writes are not stamped in the past', async () => {
    const { clock, store: bStore, b } = await restarted(-DAY, -DAY); // still behind after the restart
    clock.real += 1000;
    await b.set('todos', 't', 'title', 'B, offline');
    expect(await ownStamp(bStore, 't')).toBe(T0 + 1000);
    await b.close();
  });
});
