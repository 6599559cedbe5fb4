/**
 * The inspector reads the recent messages once per write: a write brings a data event (a new
 * message) and sync events (one more pending), and the two used to read them once each. A
 * sync on its own (messages flip from pending to synced) still reads them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { setupStore as setup, twoLists } from '../testing/store-fixture.ts';

afterEach(() => void vi.useRealTimers());

describe('the inspector', () => {
  it('reads the messages once for one write, and for a data event alone', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = store.getState().selected.lists as string;
    const milk = rows('todos', listId)[0] as Row<'todos'>;
    await vi.waitFor(() => expect(store.getState().inspector.length).toBeGreaterThan(0));
    // Timers the test runs itself: every event delivery and every gathering timer, until none
    // is left, so "once" is what happened, not what happened so far.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const loads = () => kit.calls.filter((c) => c.method === 'inspect').length;
    const before = loads();
    await store.getState().update('todos', milk.id, { done: true });
    await vi.runAllTimersAsync();
    expect(vi.getTimerCount()).toBe(0);
    expect(loads()).toBe(before + 1);
    expect(store.getState().inspector[0]).toMatchObject({ table: 'todos', row: milk.id, column: 'done', value: true, synced: false });
    // A data event with no sync event (the browser host's reconnection sends one): read too.
    kit.emit({ type: 'data', source: 'remote', tables: ['lists'] });
    await vi.runAllTimersAsync();
    expect(loads()).toBe(before + 2);
  });

  it('reads them again when a sync marks them synced', async () => {
    const { kit, store, rows } = await setup(twoLists);
    const listId = store.getState().selected.lists as string;
    const milk = rows('todos', listId)[0] as Row<'todos'>;
    await store.getState().update('todos', milk.id, { done: true });
    await vi.waitFor(() => expect(store.getState().inspector[0]).toMatchObject({ row: milk.id, column: 'done', synced: false }));
    // A push changes no row here: only sync events tell the inspector.
    await kit.pull();
    await vi.waitFor(() => expect(store.getState().inspector[0]).toMatchObject({ row: milk.id, column: 'done', synced: true }));
  });
});
