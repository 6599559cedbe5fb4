/**
 * docs/examples/node-sqlite-store.ts (round 60) is real code: a store on Node's own SQLite,
 * as an app on Node 22.13 or later writes one without a native module. It passes the
 * conformance suite, survives a restart of its file, and syncs two clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeSqliteStore } from '../../../docs/examples/node-sqlite-store.ts';
import { createSyncClient } from '../index.ts';
import { createInProcessServer, storeConformance, type StoreHarness } from '../testing/index.ts';
import { schema } from './harness/test-kit.ts';

const dir = mkdtempSync(join(tmpdir(), 'node-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function harness(file = join(dir, `${++files}.db`)): StoreHarness {
  const db = new DatabaseSync(file);
  const store = createNodeSqliteStore(db);
  return {
    store,
    readRow: (table, row) => store.readRow(table, row),
    reopen: () => (db.close(), harness(file)),
    dispose: () => void (db.isOpen && db.close()),
  };
}

describe('docs example: a store on node:sqlite', () => {
  for (const c of storeConformance(() => harness(), { transact: false })) it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);

  it('syncs two clients, one of them opened again on its file', async () => {
    const server = createInProcessServer();
    const file = join(dir, 'a.db');
    const first = createNodeSqliteStore(new DatabaseSync(file));
    const a = await createSyncClient({ schema, store: first, remote: server.remote(), autoSync: false });
    const bStore = createNodeSqliteStore(new DatabaseSync(join(dir, 'b.db')));
    const b = await createSyncClient({ schema, store: bStore, remote: server.remote(), autoSync: false });
    await a.update('todos', 't1', { title: 'Buy milk', done: false });
    await a.close();
    first.close?.(); // the client leaves its store open: the app closes it
    const aStore = createNodeSqliteStore(new DatabaseSync(file));
    const again = await createSyncClient({ schema, store: aStore, remote: server.remote(), autoSync: false });
    expect(again.status.pending).toBe(2);
    await again.sync();
    await b.sync();
    expect(bStore.readRow('todos', 't1')).toEqual({ title: 'Buy milk', done: false });
    await b.set('todos', 't1', 'done', true);
    await b.sync();
    await again.sync();
    expect(aStore.readRow('todos', 't1')).toEqual({ title: 'Buy milk', done: true });
    await again.close();
    await b.close();
    aStore.close?.();
    bStore.close?.();
  });
});
