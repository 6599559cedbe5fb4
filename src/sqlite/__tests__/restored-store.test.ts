/**
 * A client's store restored from a backup (docs/api.md, `createSyncClient`): as it is, it never
 * gets back the writes it made after the backup (the server never sends a client its own
 * clientId's messages); with its clientId removed, it becomes a new device and converges. Real
 * SQLite files (the backup a copy of the file), the real server over HTTP on loopback.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, defineSchema, type SyncClient } from '../../sync/index.ts';
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

async function device(file: string, user: string): Promise<{ client: SyncClient; store: SqliteStore }> {
  const store = createSqliteStore(openDatabase(file));
  const client = await createSyncClient({ schema, store, autoSync: false, remote: createHttpRemote({ url: server.url, token: await server.token(user) }) });
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
  it('as it is, never gets back its own writes made after the backup', async () => {
    const backup = await backedUp('restore-as-is');
    const restored = await device(backup, 'restore-as-is');
    await restored.client.sync();
    expect(restored.store.readRow('todos', 't2')).toBeUndefined();
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
});
