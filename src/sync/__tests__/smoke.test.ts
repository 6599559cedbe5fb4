import { expect, it } from 'vitest';
import { createMemoryStore, createSyncClient, defineSchema } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

it('two clients converge through the in-process server: the later write of a field wins', async () => {
  const server = createInProcessServer({ now: () => T0 + 1000 });
  const sa = createMemoryStore();
  const sb = createMemoryStore();
  const a = await createSyncClient({ schema, store: sa, remote: server.remote(), autoSync: false, now: () => T0 });
  const b = await createSyncClient({ schema, store: sb, remote: server.remote(), autoSync: false, now: () => T0 + 1000 });
  await a.update('todos', 't1', { title: 'Buy milk', done: false });
  await b.set('todos', 't1', 'done', true);
  await a.sync();
  await b.sync();
  await a.sync();
  expect(sa.get('todos', 't1')).toEqual({ title: 'Buy milk', done: true });
  expect(sb.get('todos', 't1')).toEqual({ title: 'Buy milk', done: true });
  expect(a.status.pending).toBe(0);
  expect(b.status.cursor).toBeGreaterThan(0);
  await a.close();
  await b.close();
});
