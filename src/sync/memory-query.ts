/**
 * The memory store's answers to `messages(query)` (memory-store.ts): the queries that scan.
 * None of them runs while merging: a cell's history and the latest messages are asked for by
 * the inspector and by a rejected write's fallback, and the messages kept are bounded by the cells.
 */
import { byHlc } from './message.ts';
import { copyMessage, type PulledRing } from './memory-messages.ts';
import { bestOf, type MemoryRows, type Slots } from './memory-rows.ts';
import { asked, type MessageQuery, type StoredMessage } from './store.ts';

/** Where the memory store keeps its messages: local ones and those set aside in `messages`, pulled ones in `ring` and `cells`. */
export interface KeptMessages {
  readonly messages: ReadonlyMap<string, StoredMessage>;
  readonly pending: ReadonlySet<string>;
  readonly ring: PulledRing;
  readonly cells: MemoryRows;
}

/** Every message kept, each once: for the queries that scan (never on the merge path). */
export function everyMessage(s: KeptMessages): StoredMessage[] {
  const seen = new Set<string>();
  const out: StoredMessage[] = [];
  for (const source of [s.messages.values(), s.ring.all(), s.cells.bests()]) {
    for (const m of source) {
      if (seen.has(m.hlc)) continue;
      seen.add(m.hlc);
      out.push(m);
    }
  }
  return out;
}

/** The map's messages (local ones and those set aside) that `query` asks for. */
function kept(s: KeptMessages, query: MessageQuery): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const m of s.messages.values()) if (asked(m, query)) out.push(m);
  return out;
}

/** The store's own copies of the messages `query` asks for. */
export function queryMessages(s: KeptMessages, query: MessageQuery): StoredMessage[] {
  // Local messages and those set aside are all in the map; pulled ones may be elsewhere.
  switch (query.kind) {
    case 'pending':
      return [...s.pending].sort().slice(0, query.limit).map((h) => copyMessage(s.messages.get(h) as StoredMessage));
    case 'unapplied':
    case 'rejected':
      return kept(s, query).sort(byHlc).map(copyMessage);
    case 'cell': {
      // A scan, not an index: asked for one cell's history or a rejected write's fallback.
      const { table, row, column } = query;
      const out = kept(s, query);
      const seen = new Set(out.map((m) => m.hlc));
      const slots = s.cells.rowOf(table, row);
      const at = slots && s.cells.slotOf(table, column);
      const others = [at === undefined ? undefined : bestOf(table, row, column, slots as Slots, at), ...s.ring.all()];
      for (const m of others) {
        if (m === undefined || seen.has(m.hlc) || m.column !== column || m.row !== row || m.table !== table) continue;
        seen.add(m.hlc);
        out.push(m);
      }
      return out.map(copyMessage);
    }
    case 'recent':
      return everyMessage(s).sort(byHlc).reverse().slice(0, query.limit).map(copyMessage);
  }
}
