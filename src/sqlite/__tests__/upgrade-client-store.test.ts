/**
 * Upgrade: a client store file written by an older app, and the server database it synced
 * with, both made by the old code itself (test-support/upgrade-fixtures), opened by this
 * code. Each file holds pulled messages, a cursor, deleted rows and five writes made
 * offline that never reached the server (two of them rewrite one cell), and the server holds
 * one message the client has not pulled yet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpRemote, createSyncClient, defineSchema, type Message, type SyncClient } from '../../sync/index.ts';
import { createSqliteStore, openDatabase, type Db } from '../index.ts';
import { startTestServer, type TestServer } from '../../../server/__tests__/helpers/test-server.ts';
import { readDump, restoreDump } from '../../../test-support/upgrade-fixture-files.ts';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';
import { STORE_VERSION } from '../migrations.ts';

// The schema the old app declared when it wrote the fixtures.
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: { type: 'boolean', nullable: true } } } });

// [client dump, server dump (or the log of an in-process server, pushed in order), whether
// the client knew the server's epoch]
const VERSIONS = [
  // The first client store (its own layout of version 1: no outbox, no _hlc_ columns).
  ['client-v1-68cecb9.sql', 'server-log-68cecb9.json', false],
  ['client-v1-db50754.sql', 'server-sqlite-v1-db50754.sql', false],
  ['client-v1-e463e49.sql', 'server-sqlite-v2-e463e49.sql', true],
  ['client-v2-35b7207.sql', 'server-sqlite-v2-35b7207.sql', true],
  ['client-v3-7243dcb.sql', 'server-sqlite-v2-7243dcb.sql', true],
  ['client-v4-fad2690.sql', 'server-sqlite-v2-fad2690.sql', true],
  ['client-v5-360a2ba.sql', 'server-sqlite-v2-360a2ba.sql', true],
] as const;

let dir: TempDir | undefined;
let server: TestServer | undefined;
const dbs: Db[] = [];
const clients: SyncClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const db of dbs.splice(0)) db.close();
  await server?.stop();
  dir?.remove();
  server = undefined;
  dir = undefined;
});

/** The count of messages every push request carried. */
interface Pushes { count: number }

async function clientOn(file: string, user: string, pushes: Pushes = { count: 0 }) {
  const db = openDatabase(file);
  dbs.push(db);
  const store = createSqliteStore(db);
  const remote = createHttpRemote({
    url: (server as TestServer).url,
    token: await (server as TestServer).token(user),
    fetch: (url, init) => {
      if (typeof init?.body === 'string') pushes.count += (JSON.parse(init.body) as { messages: unknown[] }).messages.length;
      return fetch(url, init);
    },
  });
  const client = await createSyncClient({ schema, store, remote, autoSync: false });
  clients.push(client);
  return { db, store, client };
}

/** Pushes an old in-process server's log, one message a request, so each keeps its id. */
async function pushLog(s: TestServer, name: string): Promise<void> {
  for (const { clientId, message } of JSON.parse(readDump(name)) as { clientId: string; message: Message }[]) {
    expect((await s.sync('alice', { clientId, cursor: 0, limit: 1, messages: [message] })).status).toBe(200);
  }
}

const pending = (store: ReturnType<typeof createSqliteStore>) => store.messages({ kind: 'pending', limit: 1000 });

describe.each(VERSIONS)('a client store written as %s', (clientDump, serverDump, knewEpoch) => {
  it('opens with its data intact, pushes its offline writes once, keeps its cursor and syncs on', async () => {
    dir = tempDir('fieldsync-upgrade-');
    const dataDir = join(dir.path, 'server');
    mkdirSync(dataDir, { mode: 0o700 });
    if (!serverDump.endsWith('.json')) restoreDump(serverDump, join(dataDir, 'fieldsync.sqlite'));
    const file = join(dir.path, 'client.db');
    restoreDump(clientDump, file);
    // Compaction off: the log then shows every message that arrived, so a repeat would show.
    server = await startTestServer({ dataDir, env: { FIELDSYNC_COMPACTION: 'off' } });
    if (serverDump.endsWith('.json')) await pushLog(server, serverDump);
    const before = await server.pullAll('alice');
    expect(before.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const pushes: Pushes = { count: 0 };
    const a = await clientOn(file, 'alice', pushes);
    expect(a.db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    expect(a.store.readRow('todos', 't1')).toEqual({ title: 'Soy milk', done: false, _deleted: null });
    expect(a.store.readRow('todos', 't2')).toMatchObject({ title: 'Bread', _deleted: true });
    expect(a.store.readRow('todos', 't3')).toMatchObject({ title: "Eggs 'free range' \u00e9", _deleted: true });
    expect(a.store.readRow('todos', 't4')).toEqual({ title: 'Jam', done: null, _deleted: null });
    expect(a.store.readRow('todos', 't5')).toEqual({ title: 'Tea', done: true, _deleted: null });
    // Every value keeps the hlc of its winner beside it (the first layout had none): without
    // it, any older message pulled later would replace the value.
    expect(a.db.prepare(`SELECT count(*) FROM todos WHERE (title IS NOT NULL AND _hlc_title IS NULL)
      OR (done IS NOT NULL AND _hlc_done IS NULL) OR (_deleted IS NOT NULL AND _hlc__deleted IS NULL)`).pluck().get()).toBe(0);
    const offline = await pending(a.store);
    expect(offline.map((m) => [m.row, m.column, m.value])).toEqual([
      ['t1', 'title', 'Oat milk'], ['t1', 'title', 'Soy milk'], ['t5', 'title', 'Tea'], ['t5', 'done', true], ['t3', '_deleted', true],
    ]);
    const opened = await a.store.open(schema);
    expect(opened.meta.cursor).toBe('6');

    await a.client.sync();
    expect(await pending(a.store)).toEqual([]);
    const after = await server.pullAll('alice');
    // The server's log: the seven old messages unchanged, then the five offline writes, once each.
    expect(after.slice(0, 7)).toEqual(before);
    expect(after.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(new Set(after.map((m) => m.hlc)).size).toBe(12);
    expect(after.slice(7).map((m) => m.hlc).sort()).toEqual(offline.map((m) => m.hlc).sort());
    // A client that knew the epoch sends the five once. One written before epochs starts over
    // once (its cursor may belong to a log this server no longer has): it sends its own
    // messages again, which the server already holds by hlc and does not store twice.
    if (knewEpoch) expect(pushes.count).toBe(5);
    // The message another device wrote after this client's last pull arrived.
    expect(a.store.readRow('todos', 't4')).toEqual({ title: 'Jam', done: true, _deleted: null });
    expect((await a.store.open(schema)).meta.cursor).toBe('12');

    // Sync continues: a new device's write arrives, nothing is sent again.
    const other = await clientOn(join(dir.path, 'other.db'), 'alice');
    await other.client.sync();
    expect(other.store.readRow('todos', 't1')).toMatchObject({ title: 'Soy milk' });
    await other.client.update('todos', 't6', { title: 'Rice' });
    await other.client.sync();
    const sent = pushes.count;
    await a.client.sync();
    expect(pushes.count).toBe(sent);
    expect(a.store.readRow('todos', 't6')).toMatchObject({ title: 'Rice' });
    expect((await a.store.open(schema)).meta.cursor).toBe('13');
    expect((await server.pullAll('alice')).length).toBe(13);
  });
});
