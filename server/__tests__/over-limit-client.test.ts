/**
 * A client whose requests are over the server's body limit never gets stuck: on 413 it
 * halves its request, down to one message; a message too large to go alone is set aside,
 * visibly (`rejected()`), and the rest keep syncing. Real server, real HTTP, with a body
 * limit (32 KiB) far below the client's default request size (1 MiB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type SyncClient } from 'fieldsync';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
const LIMIT = 32 * 1024;

describe('requests over the server body limit', () => {
  let s: TestServer | undefined;
  const clients: SyncClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await s?.stop();
    s = undefined;
  });

  async function open(server: TestServer, user: string) {
    const store = createMemoryStore();
    const remote = createHttpRemote({ url: server.url, token: await server.token(user) });
    const client = await createSyncClient({ schema, store, remote, autoSync: false });
    clients.push(client);
    return { client, store };
  }

  it('halves its batches, sets aside the one message too large alone, and syncs everything else', async () => {
    s = await startTestServer({ env: { FIELDSYNC_BODY_LIMIT: String(LIMIT) } });
    const a = await open(s, 'alice');
    const title = (i: number): string => `${i} `.padEnd(1000, 'x');
    for (let i = 0; i < 150; i++) await a.client.set('todos', `t${i}`, 'title', title(i));
    const big = await a.client.set('todos', 'big', 'title', 'B'.repeat(40 * 1024)); // a valid message over the limit
    for (let i = 150; i < 300; i++) await a.client.set('todos', `t${i}`, 'title', title(i));

    await a.client.sync();
    expect(a.client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 1, error: null });
    const [rejected] = await a.client.rejected();
    expect(rejected).toMatchObject({ hlc: big.hlc, applied: false });
    expect(rejected?.error).toMatch(/^payload_too_large: /);
    expect(a.store.get('todos', 'big')).toBeUndefined(); // the row it made goes: no other replica will see it
    // The operator was told at start that a limit this low sets valid messages aside.
    expect(s.logs.filter((l) => l.level === 40 && String(l.msg).startsWith('--body-limit is 32768 bytes'))).toHaveLength(1);

    const held = await s.pullAll('alice');
    expect(held.length).toBe(300);
    expect(held.some((m) => m.row === 'big')).toBe(false);

    // Another device gets all of it, and the client keeps syncing afterwards.
    const b = await open(s, 'alice');
    await b.client.sync();
    expect(b.store.rows('todos').size).toBe(300);
    expect(b.store.get('todos', 't299')).toEqual({ title: title(299) });
    await a.client.set('todos', 'after', 'done', true);
    await a.client.sync();
    await b.client.sync();
    expect(b.store.get('todos', 'after')).toEqual({ done: true });
    expect(a.client.status).toMatchObject({ pending: 0, rejected: 1 });
  });
});
