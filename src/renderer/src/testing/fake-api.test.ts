import { describe, expect, it } from 'vitest';
import { AppError, type AppEvent } from '../../../shared/app-api.ts';
import { FakeApi } from './fake-api.ts';
import { keyBetween } from './fractional-order.ts';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('FakeApi, the reference fake of the AppApi contract', () => {
  it('keeps rows in fractional order through moves', async () => {
    const api = new FakeApi();
    const list = await api.createList('L');
    for (const t of ['a', 'b', 'c', 'd']) await api.createTodo(list.id, t);
    const id = (title: string) => api.todos(list.id).then((ts) => ts.find((t) => t.title === title)?.id as string);
    await api.moveTodo(await id('d'), 0);
    await api.moveTodo(await id('a'), 3);
    await api.moveTodo(await id('b'), 99);
    expect((await api.todos(list.id)).map((t) => t.title)).toEqual(['d', 'c', 'a', 'b']);
    const orders = (await api.todos(list.id)).map((t) => t.order);
    expect([...orders].sort()).toEqual(orders);
  });

  it('makes keys strictly between their neighbours', () => {
    let keys = [keyBetween('', null)];
    for (let i = 0; i < 40; i++) {
      keys = [keyBetween('', keys[0] as string), ...keys, keyBetween(keys.at(-1) as string, null)];
      const m = Math.floor(keys.length / 2);
      keys.splice(m, 0, keyBetween(keys[m - 1] as string, keys[m] as string));
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('validates input with the shared rules, as invalid_argument', async () => {
    const api = new FakeApi();
    await expect(api.createList(' ')).rejects.toMatchObject({ code: 'invalid_argument', message: "List name can't be empty." });
    const list = await api.createList('L');
    await expect(api.createTodo(list.id, 'a\nb')).rejects.toBeInstanceOf(AppError);
    await expect(api.renameTodo('nope', 'x')).rejects.toMatchObject({ code: 'not_found' });
    expect(await api.todos(list.id)).toEqual([]);
  });

  it('emits data and sync events after the call returns', async () => {
    const api = new FakeApi();
    const events: AppEvent[] = [];
    api.subscribe((e) => events.push(e));
    await api.createList('L');
    expect(events).toEqual([]);
    await flush();
    expect(events.map((e) => e.type)).toEqual(['data', 'sync']);
    expect(events[1]).toMatchObject({ sync: { pending: 4 } });
  });

  it('goes offline and back, and refuses to sync while offline', async () => {
    const api = new FakeApi();
    await api.setOnline(false);
    expect(await api.syncStatus()).toMatchObject({ online: false, state: 'offline' });
    await expect(api.syncNow()).rejects.toMatchObject({ code: 'offline' });
    await api.setOnline(true);
    await api.createList('L');
    await api.syncNow();
    expect(await api.syncStatus()).toMatchObject({ state: 'idle', pending: 0, cursor: 4 });
  });

  it('lets the newest timestamp win each cell, and says so in the inspector', async () => {
    const api = new FakeApi({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const list = await api.createList('Mine');
    api.receiveRemote({ table: 'lists', row: list.id, values: { name: 'Older' }, at: Date.parse('2025-01-01T00:00:00Z') });
    expect((await api.lists())[0]?.name).toBe('Mine');
    api.receiveRemote({ table: 'lists', row: list.id, values: { name: 'Newer' }, at: Date.parse('2027-01-01T00:00:00Z') });
    expect((await api.lists())[0]?.name).toBe('Newer');
    const names = (await api.inspect(10)).filter((e) => e.column === 'name');
    expect(names.map((e) => [e.value, e.origin, e.won])).toEqual([
      ['Newer', 'remote', true],
      ['Older', 'remote', false],
      ['Mine', 'local', false],
    ]);
  });
});
