/**
 * A fleet upgrade on one SQLite data dir (docker compose replicas, a supervisor and a manual
 * start), with compaction off, then on: three current server processes (`node server/main.ts`)
 * started at the same moment on a database a schema-1 server wrote (db50754, compaction on:
 * it has the unique cell index). One takes the data dir and migrates it; the other two are
 * refused (exit 2) before they open the database. With compaction off the cell index goes and
 * every message is kept; a restart with compaction on compacts what was written meanwhile,
 * once, at its start: ids stay, the counter goes on, an old cursor goes on.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { formatHlc, type ServerMessage } from 'fieldsync/server';
import { createAuthenticator } from '../auth.ts';
import { SCHEMA_VERSION } from '../stores/sqlite-schema.ts';
import { spawnServer, type ChildServer } from '../../test-support/child-server.ts';
import { useRestoredDataDirs } from '../../test-support/upgrade-fixture-files.ts';

const SECRET = 'fleet-upgrade-sqlite-secret-0123456789abcdef';
const auth = createAuthenticator(SECRET);
const restored = useRestoredDataDirs();
const servers = restored.servers;

async function sync(url: string, body: unknown): Promise<{ status: number; body: { epoch: string; cursor: number; messages: ServerMessage[] } }> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await auth.sign('alice', 3600)}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as { epoch: string; cursor: number; messages: ServerMessage[] } };
}

function read(file: string): { version: number; cellIndex: boolean; ids: number[]; lastId: number } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      cellIndex: db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'messages_by_cell'`).get() !== undefined,
      ids: db.prepare('SELECT id FROM messages ORDER BY id').pluck().all() as number[],
      lastId: db.prepare(`SELECT last_id FROM users WHERE name = 'alice'`).pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

const title = (n: number, value: string) => ({ hlc: formatHlc({ millis: Date.now() - 10_000 + n, counter: 0, clientId: 'newClient' }), table: 'todos', row: 't1', column: 'title', value });

describe('three processes starting at once on a schema-1 SQLite data dir', () => {
  it('one migrates and serves, two are refused; compaction off keeps every message, on compacts them once', async () => {
    const { data: dataDir, file } = restored.dataDir('fieldsync-fleet-', 'server-sqlite-v1-db50754.sql');
    expect(read(file)).toMatchObject({ version: 1, cellIndex: true, ids: [1, 2, 3, 4, 5, 6, 7] });

    const env = { FIELDSYNC_DATA_DIR: dataDir, FIELDSYNC_SECRET: SECRET, FIELDSYNC_COMPACTION: 'off' };
    const starts = await Promise.allSettled([spawnServer(env), spawnServer(env), spawnServer(env)]);
    const up = starts.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    servers.push(...up);
    const refused = starts.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
    expect(up).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const why of refused) expect(why).toMatch(/exited with 2 before it was ready; stderr: fieldsync: another Fieldsync server \(process \d+\) uses the data dir/);
    const [one] = up as [ChildServer];

    expect(read(file)).toMatchObject({ version: SCHEMA_VERSION, cellIndex: false });
    const first = await sync(one.url, { clientId: 'oldClient', cursor: 3, limit: 100 });
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m) => m.id)).toEqual([4, 5, 6, 7]);
    const { epoch } = first.body;
    // Compaction off: a cell written twice keeps both.
    const [a, b] = [title(1, 'first'), title(2, 'second')];
    expect((await sync(one.url, { clientId: 'newClient', cursor: 7, limit: 100, epoch, messages: [a, b] })).status).toBe(200);
    expect((await sync(one.url, { clientId: 'oldClient', cursor: 7, limit: 100, epoch })).body.messages).toEqual([{ ...a, id: 8 }, { ...b, id: 9 }]);
    one.child.kill('SIGTERM');
    expect(await one.exited).toEqual({ code: 0, signal: null });
    expect(read(file)).toMatchObject({ ids: [1, 2, 3, 4, 5, 6, 7, 8, 9], lastId: 9 });

    // Compaction on: at its start, every message that lost its cell goes (t1.title's 1 and 8),
    // once, and the cell index is back; ids stay, the counter goes on from 9.
    const on = await spawnServer({ ...env, FIELDSYNC_COMPACTION: 'on' });
    servers.push(on);
    expect(read(file)).toMatchObject({ cellIndex: true, ids: [2, 3, 4, 5, 6, 7, 9], lastId: 9 });
    const c = title(3, 'third');
    const pushed = await sync(on.url, { clientId: 'newClient', cursor: 9, limit: 100, epoch, messages: [c] });
    expect(pushed.body.epoch).toBe(epoch);
    const next = await sync(on.url, { clientId: 'oldClient', cursor: 9, limit: 100, epoch });
    expect(next.body).toMatchObject({ epoch, cursor: 10, messages: [{ ...c, id: 10 }] });
    expect(read(file)).toMatchObject({ ids: [2, 3, 4, 5, 6, 7, 10], lastId: 10 });
  }, 60_000);
});
