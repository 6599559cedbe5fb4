/**
 * One commit's work inside its transaction, in the contract's order: removes, inserts, flag
 * updates, cell writes, meta. What is particular to this store is where this client's
 * pending messages live (see pending-cells.ts):
 *
 * - a new local message that is exactly the value its commit writes into its cell (every
 *   local write) stays in the data row, marked: one row upsert;
 * - a marked message leaves its row before anything replaces it: to the outbox when its
 *   cell is written again or it is set aside, to the messages table once the server holds it;
 * - a pulled message that is exactly the value its commit writes into its cell (most pulled
 *   messages) stays in the data row too, marked 2, and in a bounded ring (pulled-in-row.ts);
 * - any other message goes to the message log (message-log.ts) as before, unless its cell
 *   keeps it already (a page pulled again): the log's check of "already stored" sees only
 *   the log.
 *
 * "New" means greater than every hlc the store holds, which a local write always is: such a
 * message cannot be stored already, so no lookup is needed to keep the contract's "a message
 * already stored is ignored". Anything else takes the message log's checked path.
 */
import { cellKey, type CellWrite, type Commit, type StoredMessage } from '../sync/index.ts';
import { withUpdate, type MessageUpdate } from '../sync/store.ts';
import type { KeptMoves } from './kept-moves.ts';
import type { MessageLog } from './message-log.ts';
import type { PendingCells } from './pending-cells.ts';
import type { PulledInRow } from './pulled-in-row.ts';
import type { RowWriter } from './row-writer.ts';
import type { SqlTable } from './sql-columns.ts';
import { keepsExactly } from './sql-values.ts';

export interface CommitParts {
  readonly tables: ReadonlyMap<string, SqlTable>;
  readonly log: MessageLog;
  readonly writer: RowWriter;
  readonly pending: PendingCells;
  readonly pulled: PulledInRow;
  readonly moves: KeptMoves;
  readonly setMeta: (key: string, value: string) => void;
}

const NONE: ReadonlySet<CellWrite> = new Set();
/**
 * The rows a commit wrote are what the WAL's bound counts (checkpoints.ts): a message row, a
 * data row, an entry of a data table's key index. A pulled message kept in its row is no row
 * of its own (counting it as one made a pull checkpoint inside its commits five times as
 * often as the bound meant); the ring of kept messages is one long value, counted as rows of
 * this many bytes.
 */
const ROW_BYTES = 256;

const isPendingLocal = (m: StoredMessage): boolean => m.local && !m.synced && m.applied && m.error === null;

export function createCommitApplier(parts: CommitParts, maxHlcAtOpen: string | null) {
  const { tables, log, writer, pending, pulled, moves, setMeta } = parts;
  /** At least the greatest hlc stored (removes leave it as it was: it only has to be an upper bound). */
  let known = maxHlcAtOpen;

  /** The writes that keep their new local message in the row, and those messages' hlcs. */
  function inRow(c: Commit): { marked: Set<CellWrite>; kept: Set<string> } | null {
    const writes = c.writes ?? [];
    let out: { marked: Set<CellWrite>; kept: Set<string> } | null = null;
    let byHlc: Map<string, CellWrite> | null = null;
    const insert = c.insert ?? [];
    // Indexed loops in the per-page paths: a function run once per page may still be in a
    // tier where `for...of` allocates an iterator result per element.
    for (let i = 0; i < insert.length; i++) {
      const m = insert[i] as StoredMessage;
      if (!isPendingLocal(m) || (known !== null && m.hlc <= known)) continue;
      // One write (a local write of one field): no map needed.
      const w = writes.length === 1 ? (writes[0]?.hlc === m.hlc ? writes[0] : undefined) : (byHlc ??= lastWrites(writes)).get(m.hlc);
      if (!w || w.value !== m.value || w.table !== m.table || w.row !== m.row || w.column !== m.column) continue;
      const column = tables.get(w.table)?.columns.get(w.column);
      if (!column || !keepsExactly(column.type, w.value)) continue;
      out ??= { marked: new Set(), kept: new Set() };
      out.marked.add(w);
      out.kept.add(m.hlc);
    }
    return out;
  }

  /**
   * `list` without the messages kept in their rows already (pulled again): the log's own
   * check sees only the log. Only a message no newer than every stored one can be kept.
   */
  function notKeptAlready(list: readonly StoredMessage[]): readonly StoredMessage[] {
    if (known === null) return list;
    let out: StoredMessage[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const m = list[i] as StoredMessage;
      const table = m.hlc <= (known as string) ? tables.get(m.table) : undefined;
      if (table !== undefined && pulled.holds(table, m)) out ??= list.slice(0, i);
      else out?.push(m);
    }
    return out ?? list;
  }

  function update(u: MessageUpdate): void {
    const m = pending.get(u.hlc);
    if (!m) {
      log.update(u);
      return;
    }
    const next = withUpdate(m, u);
    if (isPendingLocal(next)) return; // still what the mark says
    pending.take(u.hlc, { clear: true });
    log.insert([next]);
  }

  return {
    /** Whether `hlc` is greater than every hlc stored, so that it cannot be stored already. */
    isNew: (hlc: string): boolean => known === null || hlc > known,
    /** A message with this hlc was stored outside `apply` (one-cell-write.ts). */
    stored(hlc: string): void {
      if (known === null || hlc > known) known = hlc;
    },
    /** After the marks were read again (another connection wrote): the greatest hlc stored now. */
    resync(maxHlc: string | null): void {
      known = maxHlc;
    },
    /**
     * Call inside the commit's transaction, with writes checked against the schema. Returns
     * about how many rows it wrote (see ROW_BYTES), for the WAL's checkpoints. With
     * `noneKept`, the caller knows that no cell it writes keeps a pulled message in its row.
     */
    apply(c: Commit, noneKept = false): number {
      let rowsWritten = (c.remove?.length ?? 0) + 2 * (c.update?.length ?? 0);
      if (c.remove) {
        for (const hlc of c.remove) {
          if (!pending.take(hlc, { clear: true })) log.remove(hlc);
        }
      }
      const keep = c.insert?.length && c.writes?.length ? inRow(c) : null;
      const rows = c.writes?.length ? writer.rows(c.writes) : null;
      const pulledKept = rows && c.insert?.length ? pulled.kept(c.insert, rows) : null;
      if (c.insert?.length) {
        // A kept message goes into its row below; one whose hlc is marked already is stored.
        const at = pulledKept?.at;
        const rest = notKeptAlready(pulledKept !== null && pulledKept.count === c.insert.length
          ? [] // every one kept in its row (a pulled page, mostly)
          : keep || at || pending.count > 0
            ? c.insert.filter((m, i) => at?.[i] !== 1 && !keep?.kept.has(m.hlc) && !pending.has(m.hlc))
            : c.insert);
        if (pulledKept) rowsWritten += Math.ceil(pulled.record(pulledKept) / ROW_BYTES);
        if (rest.length > 0) log.insert(rest);
        rowsWritten += rest.length;
        if (rest.length === 0 && pulledKept !== null && pulledKept.count === c.insert.length) {
          // Every insert kept (a pulled page): the kept pass found their newest already.
          if (known === null || pulledKept.newest.hlc > known) known = pulledKept.newest.hlc;
        } else {
          for (const m of c.insert) if (known === null || m.hlc > known) known = m.hlc;
        }
      }
      if (c.update) for (const u of c.update) update(u);
      if (rows) {
        let marked: ReadonlySet<CellWrite> = keep?.marked ?? NONE;
        const anyMarked = pending.count > 0; // before the moves below, whose marks the writer clears
        if (anyMarked) {
          for (const w of rows.list.flatMap((r) => r.cells)) {
            if (w === undefined) continue;
            const old = pending.markedIn(w.table, w.row, w.column);
            if (old === undefined) continue;
            if (old === w.hlc) {
              marked = new Set([...marked, w]); // the same message written again: it stays marked
              continue;
            }
            // Replaced: the message still has to reach the server, from the outbox. The write
            // below sets the cell's mark, so it is not cleared here.
            log.insert([pending.take(old, { clear: false }) as StoredMessage]);
            rowsWritten += 1;
          }
        }
        // Every write sets its cell's mark: 1 for a kept local message, 2 for a kept pulled
        // one, NULL otherwise. A kept pulled message that anything but a newer one replaces
        // goes to the log first (kept-moves.ts).
        if (!noneKept) rowsWritten += moves.replaced(rows);
        writer.write(rows, marked);
        rowsWritten += 2 * rows.list.length; // each data row, and its id in the table's key index
        if (keep) for (const w of keep.marked) pending.add(tables.get(w.table) as SqlTable, w);
      }
      if (c.meta) {
        for (const k of Object.keys(c.meta)) setMeta(k, c.meta[k] as string);
        rowsWritten += 1;
      }
      return rowsWritten;
    },
  };
}

/** Each cell's last write in the commit, by hlc: only a cell's last write stays in it. */
function lastWrites(writes: readonly CellWrite[]): Map<string, CellWrite> {
  const last = new Map<string, CellWrite>();
  for (const w of writes) last.set(cellKey(w.table, w.row, w.column), w);
  const out = new Map<string, CellWrite>();
  for (const w of last.values()) if (w.hlc !== null) out.set(w.hlc, w);
  return out;
}
