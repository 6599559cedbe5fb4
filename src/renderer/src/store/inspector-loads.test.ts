/**
 * The inspector reads the recent messages once per write: a write brings a data event (a new
 * message) and sync events (one more pending), and the two used to read them once each. A
 * sync on its own (messages flip from pending to synced) still reads them. It writes a row of
 * the schema's first table through the store (testing/first-table.ts), watching that table as
 * a view would, so that a fork that replaces the todos keeps it as it is.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TableName, UpdateFields } from '../../../shared/app-rows.ts';
import { openTestApi } from '../testing/core-api.ts';
import { FIRST, createFirst } from '../testing/first-table.ts';
import { createAppStore } from './app-store.ts';

const stops: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  for (const stop of stops.splice(0)) stop();
});

/** A started store watching the first table, loaded, which holds a row "Milk" (its id). */
async function setup() {
  const kit = await openTestApi();
  const { id } = await createFirst(kit.api, 'Milk');
  const store = createAppStore(kit.api, { refreshDelayMs: 5 });
  stops.push(store.getState().start());
  stops.push(store.getState().watch(FIRST.table));
  await vi.waitFor(() => expect(store.getState().queries[FIRST.table]?.loaded).toBe(true));
  return { kit, store, id };
}
const rename = (title: string) => ({ [FIRST.titleColumn]: title }) as UpdateFields<TableName>;

describe('the inspector', () => {
  it('reads the messages once for one write, and for a data event alone', async () => {
    const { kit, store, id } = await setup();
    await vi.waitFor(() => expect(store.getState().inspector.length).toBeGreaterThan(0));
    const loads = () => kit.calls.filter((c) => c.method === 'inspect').length;
    // The start's own events (the device name published, its sync) may still be on their way
    // on real timers: wait until no read comes for a while (bounded), so none lands in the count.
    await vi.waitFor(
      async () => {
        const seen = loads();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(loads()).toBe(seen);
      },
      { timeout: 10_000, interval: 0 },
    );
    // Timers the test runs itself: every event delivery and every gathering timer, until none
    // is left, so "once" is what happened, not what happened so far.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await vi.runAllTimersAsync();
    const before = loads();
    await store.getState().update(FIRST.table, id, rename('Oat milk'));
    await vi.runAllTimersAsync();
    expect(vi.getTimerCount()).toBe(0);
    expect(loads()).toBe(before + 1);
    expect(store.getState().inspector[0]).toMatchObject({ table: FIRST.table, row: id, column: FIRST.titleColumn, value: 'Oat milk', synced: false });
    // A data event with no sync event (the browser host's reconnection sends one): read too.
    kit.emit({ type: 'data', source: 'remote', tables: [FIRST.table as TableName] });
    await vi.runAllTimersAsync();
    expect(loads()).toBe(before + 2);
  });

  it('reads them again when a sync marks them synced', async () => {
    const { kit, store, id } = await setup();
    await store.getState().update(FIRST.table, id, rename('Oat milk'));
    await vi.waitFor(() => expect(store.getState().inspector[0]).toMatchObject({ row: id, column: FIRST.titleColumn, synced: false }));
    // A push changes no row here: only sync events tell the inspector.
    await kit.pull();
    await vi.waitFor(() => expect(store.getState().inspector[0]).toMatchObject({ row: id, column: FIRST.titleColumn, synced: true }));
  });
});
