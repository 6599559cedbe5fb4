import { cellKey, type Cell, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from 'fieldsync';

/**
 * A store on a browser's IndexedDB: one database with three object stores (messages, cells,
 * meta), each commit one readwrite transaction. Without `transact`, one client at a time:
 * of two tabs, the one opened last syncs (docs/api.md, `SyncStore`).
 *
 *   const store = createIndexedDbStore('my-app');
 *   const client = await createSyncClient({ schema, store, remote });
 *   await store.readRow('todos', 't1'); // { title: 'Buy milk', done: false }
 */
export type IndexedDbStore = SyncStore & {
  /** A data row (`column: value`, `_deleted: true` for a deleted one), or undefined. */
  readRow(table: string, row: string): Promise<Record<string, JsonValue> | undefined>;
};

// IndexedDB cannot index booleans: each message that one of the flag queries (pending,
// unapplied, rejected) answers carries that query's name in `queue`, an indexed field. A
// message no query lists has none, so the index skips it. In an index, equal keys come in the
// order of the primary key, the hlc: oldest first, as the queries want.
type Queue = 'pending' | 'unapplied' | 'rejected';
type Stored = StoredMessage & { queue?: Queue };
type CellRecord = Cell & { value: JsonValue; hlc: string | null };

function queueOf(m: StoredMessage): Queue | undefined {
  if (m.local) return m.synced ? undefined : m.error === null ? 'pending' : 'rejected';
  return m.applied ? undefined : 'unapplied';
}
const stored = (m: StoredMessage): Stored => {
  const queue = queueOf(m);
  return queue ? { ...m, queue } : { ...m };
};
const message = ({ queue: _, ...m }: Stored): StoredMessage => m;

/** A request's result, or its error. */
const done = <T>(req: IDBRequest<T>): Promise<T> => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

export function createIndexedDbStore(name: string): IndexedDbStore {
  let db: IDBDatabase | undefined;
  let schema: Schema;
  const read = (store: string): IDBObjectStore => (db as IDBDatabase).transaction(store, 'readonly').objectStore(store);
  const cells = async (list: readonly Cell[]): Promise<CellRecord[]> => {
    const cellStore = read('cells'); // one transaction for every cell's read
    const found = await Promise.all(list.map((c) => done(cellStore.get([c.table, c.row, c.column]) as IDBRequest<CellRecord | undefined>)));
    return found.filter((c): c is CellRecord & { hlc: string } => c?.hlc != null);
  };
  /** Up to `limit` messages of an index or store, in key order or (`prev`) reversed. */
  const scan = (source: IDBObjectStore | IDBIndex, range: IDBKeyRange | null, limit: number, direction: IDBCursorDirection = 'next') =>
    new Promise<StoredMessage[]>((resolve, reject) => {
      const out: StoredMessage[] = [];
      const req = source.openCursor(range, direction);
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor || out.length >= limit) return resolve(out);
        out.push(message(cursor.value as Stored));
        cursor.continue();
      };
    });

  return {
    async open(s) {                                            // 1. create the object stores, and say what is there
      schema = s;
      db ??= await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name, 1);
        req.onupgradeneeded = () => {
          const messages = req.result.createObjectStore('messages', { keyPath: 'hlc' });
          messages.createIndex('queue', 'queue');
          messages.createIndex('cell', ['table', 'row', 'column']);
          req.result.createObjectStore('cells', { keyPath: ['table', 'row', 'column'] }).createIndex('row', ['table', 'row']);
          req.result.createObjectStore('meta');               // out-of-line keys: meta's names
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
        // Another tab's open() of a newer version waits for this one: the client's storeStallMs reports it.
      });
      // A newer version opened in another tab (an app update): let it upgrade; this tab's next call fails, as a reload would fix.
      db.onversionchange = () => db?.close();
      const tx = db.transaction(['messages', 'meta'], 'readonly');
      const meta = tx.objectStore('meta');
      const [keys, values, newest, pendingCount] = await Promise.all([
        done(meta.getAllKeys()),
        done(meta.getAll()),
        done(tx.objectStore('messages').openKeyCursor(null, 'prev')),
        done(tx.objectStore('messages').index('queue').count('pending')),
      ]);
      return {
        meta: Object.fromEntries(keys.map((k, i) => [String(k), values[i] as string])), // an object, not a Map
        maxHlc: newest ? String(newest.primaryKey) : null,
        pendingCount,
      };
    },
    winners: async (list) => new Map((await cells(list)).map((c) => [cellKey(c.table, c.row, c.column), c.hlc as string])), // 2.
    values: async (list) => new Map((await cells(list)).map((c) => [cellKey(c.table, c.row, c.column), { value: c.value, hlc: c.hlc as string }])), // 2b. optional
    async messages(q: MessageQuery) {                          // 3. read messages
      const messages = read('messages');
      switch (q.kind) {
        case 'pending': return scan(messages.index('queue'), IDBKeyRange.only('pending'), q.limit);
        case 'unapplied': return scan(messages.index('queue'), IDBKeyRange.only('unapplied'), Infinity);
        case 'rejected': return scan(messages.index('queue'), IDBKeyRange.only('rejected'), Infinity);
        case 'recent': return scan(messages, null, q.limit, 'prev');
        case 'cell': {
          const all = await done(messages.index('cell').getAll([q.table, q.row, q.column]) as IDBRequest<Stored[]>);
          return all.filter((m) => m.applied).map(message);
        }
      }
    },
    async commit(c: Commit) {                                  // 4. all or nothing: one transaction
      for (const w of c.writes ?? []) {
        if (!schema.tables.get(w.table)?.columns.has(w.column)) throw new Error(`not in the schema: ${w.table}.${w.column}`);
      }
      const tx = (db as IDBDatabase).transaction(['messages', 'cells', 'meta'], 'readwrite');
      // Settles when the transaction does: a quota exceeded at its commit rejects here, with nothing written.
      const committed = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
      });
      const messages = tx.objectStore('messages');
      try {
        for (const hlc of c.remove ?? []) messages.delete(hlc);
        for (const m of c.insert ?? []) {
          const req = messages.add(stored(m));
          // An hlc already stored is kept as it is: preventDefault keeps the transaction going.
          req.onerror = (e) => void (req.error?.name === 'ConstraintError' && e.preventDefault());
        }
        for (const u of c.update ?? []) {
          const req = messages.get(u.hlc) as IDBRequest<Stored | undefined>;
          req.onsuccess = () => {
            if (!req.result) return;
            const m = message(req.result);                     // a flag left out stays as it is; `error: null` clears the error
            messages.put(stored({ ...m, synced: u.synced ?? m.synced, applied: u.applied ?? m.applied, error: u.error === undefined ? m.error : u.error }));
          };
        }
        const cellStore = tx.objectStore('cells');
        for (const w of c.writes ?? []) cellStore.put({ table: w.table, row: w.row, column: w.column, value: w.value, hlc: w.hlc } satisfies CellRecord);
        for (const [key, value] of Object.entries(c.meta ?? {})) tx.objectStore('meta').put(value, key);
      } catch (err) {
        // A put throws at once for a value IndexedDB cannot store (DataCloneError): without
        // abort(), the requests made before it would still commit, half a commit.
        committed.catch(() => {});
        tx.abort();
        throw err;
      }
      await committed;
    },
    close() {                                                  // 5. your app calls it, after client.close()
      db?.close();
      db = undefined;
    },
    async readRow(table, row) {                                // not in the contract: the app's read
      const list = await done(read('cells').index('row').getAll([table, row]) as IDBRequest<CellRecord[]>);
      // A row none of whose cells has an hlc left (its only message was refused) does not exist.
      if (!list.some((c) => c.hlc !== null)) return undefined;
      return Object.fromEntries(list.filter((c) => c.hlc !== null).map((c) => [c.column, c.value]));
    },
  };
}
