/**
 * A client's store restored from a backup (docs/api.md, `createSyncClient`): it gets back the
 * writes it made and pushed after the backup, which the server sends a client only when it
 * asks for its own messages (`own`, docs/protocol.md "Own messages"): on each request of its
 * first pull after opening. Until round 43 it never got them back, and differed for ever from
 * the user's other devices; until round 50 a write since the restore that took a lost one's
 * hlc was dropped by the server as a copy of it. Real SQLite files (the backup a copy of the file), the real server
 * over HTTP on loopback.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, createHttpRemote, createSyncClient, defineSchema, type Remote, type SyncClient } from '../../sync/index.ts';
import { createSqliteStore, openDatabase, type SqliteStore } from '../index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { tempDir, type TempDir } from '../../../test-support/temp-dir.ts';

const server = useRealServer();
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string' } } });

let dir: TempDir;
const open: { client: SyncClient; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const { client, store } of open.splice(0)) {
    await client.close();
    store.db.close();
  }
  dir?.remove();
});

async function device(file: string, user: string, now?: () => number): Promise<{ client: SyncClient; store: SqliteStore }> {
  const store = createSqliteStore(openDatabase(file));
  const client = await createSyncClient({ schema, store, autoSync: false, ...(now ? { now } : {}), remote: createHttpRemote({ url: server.url, token: await server.token(user) }) });
  const d = { client, store };
  open.push(d);
  return d;
}

/** A device that wrote `before`, was backed up, then wrote `after` and synced it; and the backup's file. */
async function backedUp(user: string): Promise<string> {
  dir = tempDir('fieldsync-restore-');
  const file = join(dir.path, 'device.db');
  const d = await device(file, user);
  await d.client.update('todos', 't1', { title: 'before the backup' });
  await d.client.sync();
  d.store.db.pragma('wal_checkpoint(TRUNCATE)');
  const backup = join(dir.path, 'backup.db');
  copyFileSync(file, backup);
  await d.client.update('todos', 't2', { title: 'after the backup' });
  await d.client.sync();
  return backup;
}

describe('a client store restored from a backup', () => {
  it('as it is, gets back its own writes made after the backup', async () => {
    const backup = await backedUp('restore-as-is');
    const restored = await device(backup, 'restore-as-is');
    expect(restored.store.readRow('todos', 't2')).toBeUndefined();
    await restored.client.sync();
    expect(restored.store.readRow('todos', 't2')).toMatchObject({ title: 'after the backup' });
    expect(restored.store.readRow('todos', 't1')).toMatchObject({ title: 'before the backup' });
    // Kept as pulled messages: nothing to push again, and the cell's history has the write.
    expect(restored.client.status.pending).toBe(0);
    expect((await restored.client.history('todos', 't2', 'title')).map((m) => m.value)).toEqual(['after the backup']);
  });

  it('opened without its -wal, gets back the writes it had pushed, and loses those it had not', async () => {
    dir = tempDir('fieldsync-restore-');
    const file = join(dir.path, 'device.db');
    // No idle checkpoint in the test's time: the last commits stay in the -wal alone.
    const store = createSqliteStore(openDatabase(file), { checkpoints: { idleMs: 3_600_000 } });
    const client = await createSyncClient({ schema, store, autoSync: false, remote: createHttpRemote({ url: server.url, token: await server.token('restore-wal') }) });
    open.push({ client, store });
    await client.update('todos', 't1', { title: 'checkpointed' });
    await client.sync();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    await client.update('todos', 't2', { title: 'pushed, in the -wal' });
    await client.sync();
    await client.update('todos', 't3', { title: 'never pushed, in the -wal' });
    const copy = join(dir.path, 'without-wal.db');
    copyFileSync(file, copy); // the database file alone, as a backup tool that skips the -wal takes it
    const lost = await device(copy, 'restore-wal');
    expect(lost.store.readRow('todos', 't2')).toBeUndefined(); // the test's premise: the -wal's commits are gone
    await lost.client.sync();
    const titles = Object.fromEntries([...lost.store.rows('todos')].map(([id, r]) => [id, r.title]));
    expect(titles).toEqual({ t1: 'checkpointed', t2: 'pushed, in the -wal' });
  });

  it('converges with another device, its writes since the restore winning over the lost ones', async () => {
    const backup = await backedUp('restore-edits');
    const other = await device(join(dir.path, 'other.db'), 'restore-edits');
    await other.client.sync();
    const restored = await device(backup, 'restore-edits');
    // Written before the restored store syncs: later than everything it lost.
    await restored.client.update('todos', 't2', { title: 'edited after the restore' });
    await restored.client.update('todos', 't3', { title: 'new after the restore' });
    await restored.client.sync();
    await other.client.sync();
    const rows = (s: SqliteStore): unknown => Object.fromEntries([...s.rows('todos')].map(([id, r]) => [id, r.title]));
    expect(rows(restored.store)).toEqual({ t1: 'before the backup', t2: 'edited after the restore', t3: 'new after the restore' });
    expect(rows(other.store)).toEqual(rows(restored.store));
  });

  it.each([
    ['in the answer to its push', false],
    ['in a page after the one that answered its push', true],
  ])('a write since the restore that took a lost write\'s hlc (its clock read no later) is re-stamped when the lost one comes back %s: both reach every device', async (_, paged) => {
    dir = tempDir('fieldsync-restore-');
    const file = join(dir.path, 'device.db');
    const user = `restore-same-hlc-${paged}`;
    // A clock that stands still: the restored store's reads the lost write's millisecond again.
    const at = Date.now();
    const d = await device(file, user, () => at);
    await d.client.update('todos', 't1', { title: 'before the backup' });
    await d.client.sync();
    d.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const backup = join(dir.path, 'backup.db');
    copyFileSync(file, backup);
    const other = await device(join(dir.path, 'other.db'), user);
    // Paged: three messages of another device ahead of the lost one, pulled a page of one at a time.
    if (paged) for (const id of ['o1', 'o2', 'o3']) await other.client.update('todos', id, { title: id });
    await other.client.sync();
    const [lost] = await d.client.update('todos', 't2', { title: 'lost with the store' });
    await d.client.sync();
    const store = createSqliteStore(openDatabase(backup));
    const remote = createHttpRemote({ url: server.url, token: await server.token(user) });
    const pushedIn: number[] = [];
    const restored = await createSyncClient({
      schema, store, autoSync: false, now: () => at, ...(paged ? { pullLimit: 1 } : {}),
      remote: { sync: (request, o) => (pushedIn.push(request.messages?.length ?? 0), remote.sync(paged ? { ...request, pages: 1 } : request, o)) },
    });
    open.push({ client: restored, store });
    const [since] = await restored.update('todos', 't3', { title: 'written since the restore' });
    expect(since?.hlc).toBe(lost?.hlc); // the premise: the hlc was issued again
    await restored.sync();
    // Pushed at once, and again under its new hlc once the lost one came back.
    expect(pushedIn).toEqual(paged ? [1, 0, 0, 0, 1] : [1, 1]);
    await other.client.sync();
    const rows = (s: SqliteStore): unknown => Object.fromEntries([...s.rows('todos')].map(([id, r]) => [id, r.title]));
    const titles = { t1: 'before the backup', t2: 'lost with the store', t3: 'written since the restore' };
    expect(rows(other.store)).toEqual(paged ? { ...titles, o1: 'o1', o2: 'o2', o3: 'o3' } : titles);
    expect(rows(store)).toEqual(rows(other.store));
    expect(restored.status.pending).toBe(0);
    // Each held once, under its own hlc: the new write re-stamped, the lost one as pulled.
    const t3 = await restored.history('todos', 't3', 'title');
    expect(t3.map((m) => m.value)).toEqual(['written since the restore']);
    expect((t3[0]?.hlc ?? '') > (lost?.hlc ?? '')).toBe(true);
    expect((await restored.history('todos', 't2', 'title')).map((m) => [m.hlc, m.value])).toEqual([[lost?.hlc, 'lost with the store']]);
  });

  it('a first pull that reaches its own pushes, pages behind them, keeps each write once', async () => {
    dir = tempDir('fieldsync-restore-');
    const other = await device(join(dir.path, 'other.db'), 'restore-behind');
    for (let i = 0; i < 30; i++) await other.client.update('todos', `o${i}`, { title: `other ${i}` });
    await other.client.sync();
    const store = createSqliteStore(openDatabase(join(dir.path, 'device.db')));
    const remote = createHttpRemote({ url: server.url, token: await server.token('restore-behind') });
    // Pages of 2, one page per answer: its push of the first round trip comes back pages later.
    let own = 0;
    const client = await createSyncClient({
      schema, store, autoSync: false, pullLimit: 2,
      remote: { sync: async (request, o) => {
        const answer = await remote.sync({ ...request, pages: 1 }, o);
        own += answer.messages.filter((m) => m.hlc.endsWith(`-${request.clientId}`)).length;
        return answer;
      } },
    });
    open.push({ client, store });
    await client.update('todos', 'mine', { title: 'first' });
    await client.update('todos', 'mine', { title: 'second' });
    await client.update('todos', 'mine2', { title: 'another' });
    await client.sync();
    expect(own).toBe(2); // 'second' and 'another' came back ('first' the server compacted away)
    expect(client.status.pending).toBe(0);
    expect(store.rows('todos').size).toBe(32);
    expect(store.readRow('todos', 'mine')).toMatchObject({ title: 'second' });
    const history = await client.history('todos', 'mine', 'title');
    expect(history.map((m) => [m.value, m.local, m.won])).toEqual([['second', true, true], ['first', true, false]]);
    expect((await client.recent(100)).filter((m) => m.row.startsWith('mine')).map((m) => [m.value, m.local])).toEqual([['another', true], ['second', true], ['first', true]]);
  });

  it('asks for its own messages only until its first pull is done', async () => {
    dir = tempDir('fieldsync-restore-');
    const store = createSqliteStore(openDatabase(join(dir.path, 'device.db')));
    const remote = createHttpRemote({ url: server.url, token: await server.token('restore-own-flag') });
    const asked: unknown[] = [];
    const client = await createSyncClient({ schema, store, autoSync: false, remote: { sync: (request, o) => (asked.push(request.own), remote.sync(request, o)) } });
    open.push({ client, store });
    await client.update('todos', 't1', { title: 'one' });
    await client.sync();
    await client.update('todos', 't1', { title: 'two' });
    await client.sync();
    expect(asked).toEqual([true, undefined]);
  });

  it('with its clientId removed, becomes a new device and gets them', async () => {
    const backup = await backedUp('restore-new-id');
    const db = openDatabase(backup);
    db.prepare("DELETE FROM fieldsync_meta WHERE key = 'clientId'").run();
    db.close();
    const restored = await device(backup, 'restore-new-id');
    await restored.client.sync();
    expect(restored.store.readRow('todos', 't1')).toMatchObject({ title: 'before the backup' });
    expect(restored.store.readRow('todos', 't2')).toMatchObject({ title: 'after the backup' });
    await restored.client.update('todos', 't3', { title: 'new' });
    expect((await restored.client.sync()).pending).toBe(0);
  });

  it('with its clientId removed, pushes as its own what it had not pushed, and both devices converge', async () => {
    dir = tempDir('fieldsync-restore-');
    const file = join(dir.path, 'device.db');
    const store = createSqliteStore(openDatabase(file));
    const real = createHttpRemote({ url: server.url, token: await server.token('copy-unpushed') });
    // A server that refuses row z: a message set aside, which stays aside under the new clientId too.
    const remote: Remote = { sync: (r, o) => {
      const i = r.messages?.findIndex((m) => m.row === 'z') ?? -1;
      return i >= 0 ? Promise.reject(new RemoteError(400, 'invalid_message', 'refused', { index: i })) : real.sync(r, o);
    } };
    const first = { client: await createSyncClient({ schema, store, autoSync: false, remote }), store };
    open.push(first);
    await first.client.update('todos', 'x', { title: 'pushed' });
    await first.client.update('todos', 'z', { title: 'set aside' });
    expect(await first.client.sync()).toMatchObject({ pending: 0, rejected: 1 });
    await first.client.update('todos', 'y', { title: 'not pushed' });
    await first.client.update('todos', 'x', { title: 'not pushed either' });
    await first.client.close();
    first.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const copy = join(dir.path, 'copy.db');
    copyFileSync(file, copy);
    const db = openDatabase(copy);
    db.prepare("DELETE FROM fieldsync_meta WHERE key = 'clientId'").run();
    db.close();
    const b = await device(copy, 'copy-unpushed');
    expect(b.client.clientId).not.toBe(first.client.clientId);
    expect(b.client.status).toMatchObject({ pending: 2, rejected: 1 });
    const status = await b.client.sync();
    expect(status).toMatchObject({ pending: 0, rejected: 1, error: null });
    expect(b.store.readRow('todos', 'x')).toMatchObject({ title: 'not pushed either' });
    expect(b.store.readRow('todos', 'y')).toMatchObject({ title: 'not pushed' });
    const history = await b.client.history('todos', 'x', 'title');
    expect(history.map((m) => [m.value, m.won, m.hlc.endsWith(b.client.clientId)])).toEqual([['not pushed either', true, true], ['pushed', false, false]]);
    expect((await b.client.rejected()).map((m) => [m.row, m.hlc.endsWith(b.client.clientId)])).toEqual([['z', true]]);
    const other = await device(join(dir.path, 'other.db'), 'copy-unpushed');
    await other.client.sync();
    for (const row of ['x', 'y']) expect(other.store.readRow('todos', row)).toEqual(b.store.readRow('todos', row));
    expect(other.store.readRow('todos', 'z')).toBeUndefined();
  });
});
