/**
 * A store written from docs/api.md alone passes the conformance suite. Round 58: a store that
 * keeps each inserted message object as it is (which the contract allows: the client never
 * changes what it hands over) failed "a commit that fails partway": the case poisoned an
 * inserted message's `value`, which such a store never reads, and wanted the commit to fail.
 * It now poisons the `hlc`, which every store reads (a message is stored once per `hlc`).
 */
import { describe, it } from 'vitest';
import { cellKey, SchemaError, type Commit, type JsonValue, type MessageQuery, type Schema, type StoredMessage, type SyncStore } from '../index.ts';
import { storeConformance, type StoreHarness } from '../testing/index.ts';

interface State {
  meta: Map<string, string>;
  messages: Map<string, StoredMessage>; // by hlc: each message object as the client gave it
  cells: Map<string, { table: string; row: string; column: string; value: JsonValue; hlc: string | null }>;
}

const byHlc = (a: StoredMessage, b: StoredMessage): number => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0);

/** Maps in memory; a commit works on copies and swaps them in, so a throw leaves nothing. */
function createMapStore(): SyncStore & { readRow(table: string, row: string): Record<string, JsonValue> | undefined } {
  let schema: Schema | undefined;
  let state: State = { meta: new Map(), messages: new Map(), cells: new Map() };
  const sorted = (): StoredMessage[] => [...state.messages.values()].sort(byHlc);
  const pending = (m: StoredMessage): boolean => m.local && !m.synced && m.error === null;
  return {
    open(s) {
      schema = s;
      const all = sorted();
      return { meta: Object.fromEntries(state.meta), maxHlc: all.at(-1)?.hlc ?? null, pendingCount: all.filter(pending).length };
    },
    winners(cells) {
      const out = new Map<string, string>();
      for (const c of cells) {
        const hlc = state.cells.get(cellKey(c.table, c.row, c.column))?.hlc;
        if (hlc) out.set(cellKey(c.table, c.row, c.column), hlc);
      }
      return out;
    },
    messages(q: MessageQuery) {
      const all = sorted();
      switch (q.kind) {
        case 'pending': return all.filter(pending).slice(0, q.limit);
        case 'unapplied': return all.filter((m) => !m.local && !m.applied);
        case 'rejected': return all.filter((m) => m.local && !m.synced && m.error !== null);
        case 'cell': return all.filter((m) => m.applied && m.table === q.table && m.row === q.row && m.column === q.column);
        case 'recent': return all.reverse().slice(0, q.limit);
      }
    },
    commit(c: Commit) {
      for (const w of c.writes ?? []) {
        if (!schema?.tables.get(w.table)?.columns.has(w.column)) throw new SchemaError(`not in the schema: ${w.table}.${w.column}`);
      }
      const next: State = { meta: new Map(state.meta), messages: new Map(state.messages), cells: new Map(state.cells) };
      for (const hlc of c.remove ?? []) next.messages.delete(hlc);
      for (const m of c.insert ?? []) if (!next.messages.has(m.hlc)) next.messages.set(m.hlc, m);
      for (const u of c.update ?? []) {
        const m = next.messages.get(u.hlc);
        if (!m) continue;
        next.messages.set(u.hlc, {
          ...m,
          synced: u.synced ?? m.synced,
          applied: u.applied ?? m.applied,
          error: u.error === undefined ? m.error : u.error,
        });
      }
      for (const w of c.writes ?? []) next.cells.set(cellKey(w.table, w.row, w.column), { table: w.table, row: w.row, column: w.column, value: w.value, hlc: w.hlc });
      for (const [k, v] of Object.entries(c.meta ?? {})) next.meta.set(k, v);
      state = next;
    },
    close() {},
    readRow(table, row) {
      const cells = [...state.cells.values()].filter((c) => c.table === table && c.row === row);
      if (!cells.some((c) => c.hlc !== null)) return undefined;
      return Object.fromEntries(cells.map((c) => [c.column, c.value]));
    },
  };
}

function harness(): StoreHarness {
  const store = createMapStore();
  return { store, readRow: (table, row) => store.readRow(table, row) };
}

describe('a store that keeps inserted messages as they are', () => {
  for (const c of storeConformance(harness, { persistent: false, transact: false, values: false })) {
    it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
  }
});
