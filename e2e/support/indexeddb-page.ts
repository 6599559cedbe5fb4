/**
 * The page of e2e/browser/indexeddb-store.spec.ts: a web app on docs/examples/indexeddb-store.ts,
 * bundled by Vite as an app's would be, and run in Chromium. It puts what the spec drives on
 * `window.idbApp` (IdbApp): the store conformance suite, and one device (a sync client on the
 * example store, syncing with the reference server).
 */
import { createHttpRemote, createSyncClient, defineSchema, type JsonValue, type SyncClient } from 'fieldsync';
import { storeConformance, type StoreHarness } from 'fieldsync/testing';
import { createIndexedDbStore, type IndexedDbStore } from '../../docs/examples/indexeddb-store.ts';

const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });

/** 'ok', or what an error was: its name, code, message, and its cause's name. */
export type Outcome = 'ok' | { name: string; code?: string; message: string; cause?: string };

export interface ConformanceReport {
  readonly passed: number;
  readonly skipped: readonly string[];
  readonly failed: readonly string[];
}

export interface IdbApp {
  /** Runs every case of `fieldsync/testing`'s store suite on the example, each on a database of its own. */
  conformance(): Promise<ConformanceReport>;
  /** Opens this page's device: a client on the IndexedDB database `name`. */
  open(name: string, url: string, token: string): Promise<void>;
  update(row: string, fields: { title?: string; done?: boolean }): Promise<Outcome>;
  sync(): Promise<Outcome>;
  readRow(row: string): Promise<Record<string, JsonValue> | undefined>;
  status(): { state: string; pending: number };
  /** How many messages of `row` the device's store holds. */
  messagesOf(row: string): Promise<number>;
  /**
   * Makes the next commit that writes two cells of `row` fail between them: the second one's put
   * throws (`put`), as IndexedDB's does for a value it cannot clone, or the transaction is
   * aborted once all its requests are made (`abort`), as at a quota exceeded at commit.
   */
  failNextCommit(kind: 'put' | 'abort', row: string): void;
  /**
   * One commit straight to a new store on `name`: a message and two cells, the second cell's
   * value a function, which IndexedDB cannot store. What it came to, and what the store holds after.
   */
  uncloneableCommit(name: string): Promise<{ outcome: Outcome; row: Record<string, JsonValue> | undefined; pending: number }>;
}

const outcome = (err: unknown): Outcome => {
  const e = err as { name?: string; code?: string; message?: string; cause?: { name?: string } };
  return { name: String(e.name), code: e.code, message: String(e.message ?? err), cause: e.cause?.name };
};
const settled = (p: Promise<unknown>): Promise<Outcome> => p.then(() => 'ok' as const, outcome);

let conformanceDbs = 0;
function harness(name: string, stores: IndexedDbStore[] = []): StoreHarness {
  const store = createIndexedDbStore(name);
  stores.push(store);
  return {
    store,
    readRow: (table, row) => store.readRow(table, row),
    reopen: () => (store.close?.(), harness(name, stores)), // a new connection, as after a reload
    dispose: async () => {
      for (const s of stores) s.close?.();
      await new Promise((resolve) => (indexedDB.deleteDatabase(name).onsuccess = resolve));
    },
  };
}

let device: { client: SyncClient; store: IndexedDbStore } | undefined;
const client = (): SyncClient => (device as { client: SyncClient }).client;

const app: IdbApp = {
  async conformance() {
    let passed = 0;
    const skipped: string[] = [];
    const failed: string[] = [];
    for (const c of storeConformance(() => harness(`conformance-${++conformanceDbs}`), { transact: false })) {
      if (c.skip !== undefined) skipped.push(`${c.name} (${c.skip})`);
      else await c.run().then(() => passed++, (err: unknown) => failed.push(`${c.name}: ${String((err as Error).message ?? err)}`));
    }
    return { passed, skipped, failed };
  },
  async open(name, url, token) {
    const store = createIndexedDbStore(name);
    device = { store, client: await createSyncClient({ schema, store, remote: createHttpRemote({ url, token }), debounceMs: 10 }) };
  },
  update: (row, fields) => settled(client().update('todos', row, fields)),
  sync: () => settled(client().sync()),
  readRow: (row) => (device as { store: IndexedDbStore }).store.readRow('todos', row),
  status: () => ({ state: client().status.state, pending: client().status.pending }),
  async messagesOf(row) {
    const recent = await (device as { store: IndexedDbStore }).store.messages({ kind: 'recent', limit: 1000 });
    return recent.filter((m) => m.row === row).length;
  },
  failNextCommit(kind, row) {
    const put = IDBObjectStore.prototype.put;
    let cells = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      // Only that row's: a sync's commits of other rows may run meanwhile.
      if (this.name !== 'cells' || (args[0] as { row?: string }).row !== row || ++cells < 2) return put.apply(this, args);
      IDBObjectStore.prototype.put = put;
      if (kind === 'put') throw new DOMException('injected: the value could not be cloned', 'DataCloneError');
      const tx = this.transaction;
      queueMicrotask(() => tx.abort()); // after the commit's last request, before any completes
      return put.apply(this, args);
    };
  },
  async uncloneableCommit(name) {
    const store = createIndexedDbStore(name);
    await store.open(schema);
    const hlc = '2026-11-24T15:09:39.123Z-0000-0123456789abcdef';
    const result = await settled(Promise.resolve(store.commit({
      insert: [{ hlc, table: 'todos', row: 't9', column: 'title', value: 'half', local: true, synced: false, applied: true, error: null }],
      writes: [
        { table: 'todos', row: 't9', column: 'title', value: 'half', hlc },
        { table: 'todos', row: 't9', column: 'done', value: (() => true) as unknown as JsonValue, hlc },
      ],
    })));
    const opened = await store.open(schema);
    const row = await store.readRow('todos', 't9');
    store.close?.();
    return { outcome: result, row, pending: opened.pendingCount };
  },
};
(window as unknown as { idbApp: IdbApp }).idbApp = app;
