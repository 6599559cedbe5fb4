import { cellKey, type Cell, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from 'fieldsync';

/** Any storage that can read and atomically replace one text document: AsyncStorage, localStorage, a file. */
export interface DocumentStorage {
  load(): Promise<string | null>;
  save(text: string): Promise<void>;
}

interface Doc {
  meta: Record<string, string>;
  messages: Record<string, StoredMessage>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  winners: Record<string, string>;                           // cellKey -> hlc of the cell's value
}

export function createDocumentStore(storage: DocumentStorage): SyncStore {
  let doc: Doc = { meta: {}, messages: {}, data: {}, winners: {} };
  let schema: Schema;
  const all = () => Object.values(doc.messages).sort((a, b) => (a.hlc < b.hlc ? -1 : 1));

  return {
    async open(s) {                                            // 1. load, and say what is there
      schema = s;
      const text = await storage.load();
      if (text) doc = JSON.parse(text) as Doc;
      const list = all();
      return {
        meta: doc.meta,
        maxHlc: list[list.length - 1]?.hlc ?? null,
        pendingCount: list.filter((m) => m.local && !m.synced && m.error === null).length,
      };
    },
    winners(cells: readonly Cell[]) {                          // 2. the hlc kept with each cell
      const out = new Map<string, string>();
      for (const c of cells) {
        const key = cellKey(c.table, c.row, c.column);
        if (doc.winners[key]) out.set(key, doc.winners[key]);
      }
      return out;
    },
    values(cells: readonly Cell[]) {                           // 2b. optional: each cell's value and hlc
      const out = new Map<string, { value: JsonValue; hlc: string }>();
      for (const c of cells) {
        const key = cellKey(c.table, c.row, c.column);
        const value = doc.data[c.table]?.[c.row]?.[c.column];
        if (doc.winners[key]) out.set(key, { value: (value ?? null) as JsonValue, hlc: doc.winners[key] });
      }
      return out;
    },
    messages(q: MessageQuery) {                                // 3. read messages
      const list = all();
      switch (q.kind) {
        case 'pending': return list.filter((m) => m.local && !m.synced && m.error === null).slice(0, q.limit);
        case 'unapplied': return list.filter((m) => !m.local && !m.applied);
        case 'rejected': return list.filter((m) => m.local && !m.synced && m.error !== null);
        case 'cell': return list.filter((m) => m.applied && m.table === q.table && m.row === q.row && m.column === q.column);
        case 'recent': return list.reverse().slice(0, q.limit);
      }
    },
    async commit(c: Commit) {                                  // 4. all or nothing
      for (const w of c.writes ?? []) {
        if (!schema.tables.get(w.table)?.columns.has(w.column)) throw new Error(`not in the schema: ${w.table}.${w.column}`);
      }
      const next = JSON.parse(JSON.stringify(doc)) as Doc;     // a copy: React Native has no structuredClone
      for (const hlc of c.remove ?? []) delete next.messages[hlc];
      for (const m of c.insert ?? []) next.messages[m.hlc] ??= m;
      for (const u of c.update ?? []) {
        const m = next.messages[u.hlc];
        if (m) next.messages[u.hlc] = { ...m, ...u };
      }
      for (const w of c.writes ?? []) {
        ((next.data[w.table] ??= {})[w.row] ??= {})[w.column] = w.value;
        const key = cellKey(w.table, w.row, w.column);
        if (w.hlc) next.winners[key] = w.hlc;
        else delete next.winners[key];
      }
      Object.assign(next.meta, c.meta);
      await storage.save(JSON.stringify(next));                // one atomic save
      doc = next;
    },
    close() {},                                                // 5. nothing to release
  };
}
