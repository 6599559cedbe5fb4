/**
 * Edits of this device's that a delete on another device hid. Per field, the newest write
 * wins, so a todo ticked here while offline keeps its tick after a pull brings in another
 * device's earlier delete of it: the tick is in the row, but the row is gone (its tombstone
 * won too), and the tick with it. No value was replaced, so no `replaced` event tells of it,
 * and the user saw the todo vanish without a word.
 *
 * When a pull deletes a row (its own tombstone, from another device) while this device has
 * edits of it the deleter cannot have seen, the app says so and offers to bring the row back.
 * A restore is a newer `_deleted: false`, so the row comes back with every field as it is,
 * the lost edit's too. The deleter cannot have seen two kinds of edit:
 * - those that had not reached the server when the delete arrived here;
 * - those stamped after the tombstone. A device that pulls a write moves its clock past it
 *   (the HLC receive rule), so whatever it deletes afterwards is stamped later still: a
 *   tombstone older than an edit was made without it. This is the common case of a delete
 *   made offline: the edit here reached the server, the delete came later.
 *
 * Not the conflict judge's "stamped less than two seconds after they arrived" rule
 * (conflict-judge.ts): a device that deletes a row has seen it, so the writes that made it
 * reached that device, and that rule would call every quick delete of a new row a conflict.
 * What it therefore cannot see: an edit the deleter had not seen whose stamp is older than the
 * tombstone (the deleter's clock ahead of this one's), and writes this process does not know
 * (unsent-writes.ts: of those that had arrived before it started, the ones not among the
 * newest 5,000 messages; of those that arrived since, the oldest beyond the last 20,000).
 *
 * The rows below a deleted row go with it (the todos of a list), and so do this device's
 * pending edits of them, a todo added offline included: those are counted with the deleted
 * row, by table, and its restore brings them back too.
 */
import type { ChangeEvent } from 'fieldsync';
import { hlcClientId } from 'fieldsync/server';
import { TOMBSTONE_COLUMN, type AppSchema } from '../../shared/app-schema-kit.ts';
import type { UnsentWrites } from './unsent-writes.ts';

/** A row a pull deleted, with the columns of this device's edits the deleter cannot have seen. */
export interface DeletedEdit {
  readonly table: string;
  readonly row: string;
  /** The hlc of the winning tombstone (another device's). */
  readonly tombstone: string;
  readonly columns: readonly string[];
  /** The rows below it with such edits, by table (the tables with none left out). */
  readonly below: readonly { readonly table: string; readonly rows: number }[];
}

export interface LostEditsOptions {
  readonly clientId: string;
  readonly schema: AppSchema;
  readonly unsent: Pick<UnsentWrites, 'rowWrites' | 'isPending' | 'writtenRows'>;
  /** The hlc of the row's winning tombstone when the row is deleted now, else null. */
  readonly tombstone: (table: string, row: string) => string | null;
  /** The id in a row's parent column, or null. */
  readonly parentOf: (table: string, row: string) => string | null;
}

/** Finds them among the rows a pull changed, each delete once (a later change of a deleted row says nothing new). */
export function createLostEdits(o: LostEditsOptions): (change: ChangeEvent) => DeletedEdit[] {
  const told = new Set<string>();
  // Judged at once: the status after this pull marks the writes it pushed as arrived.
  const unseen = (table: string, row: string, tombstone: string) =>
    o.unsent.rowWrites(table, row).filter((w) => o.unsent.isPending(w.hlc) || w.hlc > tombstone);
  // A row this device deleted (or restored) meanwhile itself: it knows of its fate, no edit is lost to it.
  const hasDelete = (writes: readonly { readonly column: string }[]) => writes.some((w) => w.column === TOMBSTONE_COLUMN);
  const lost = (table: string, row: string, tombstone: string) => {
    const writes = unseen(table, row, tombstone);
    return hasDelete(writes) ? [] : writes;
  };

  /** Whether a row of `table` is below `row` of `top`, through its parents. */
  function isBelow(table: string, row: string, top: string, topRow: string): boolean {
    for (let t = table, r: string | null = row; r !== null; ) {
      const parent = o.schema.table(t)?.parent;
      if (!parent) return false;
      r = o.parentOf(t, r);
      if (parent.table === top) return r === topRow;
      t = parent.table;
    }
    return false;
  }

  return (change) => {
    if (change.source !== 'remote') return [];
    const found: DeletedEdit[] = [];
    for (const [table, rows] of Object.entries(change.changes)) {
      const descendants = o.schema.table(table)?.descendants ?? [];
      for (const row of new Set(rows)) {
        // Most rows of a pull: none of this device's writes and no rows below, one map lookup.
        const mine = o.unsent.rowWrites(table, row);
        if (mine.length === 0 && descendants.length === 0) continue;
        if (mine.some((w) => w.column === TOMBSTONE_COLUMN && o.unsent.isPending(w.hlc))) continue;
        const tombstone = o.tombstone(table, row);
        // Deleted here (another device changed a field of it since): nothing to tell.
        if (tombstone === null || hlcClientId(tombstone) === o.clientId || told.has(`${tombstone}/${table}/${row}`)) continue;
        const own = unseen(table, row, tombstone);
        if (hasDelete(own)) continue;
        // Below it, only the rows with such edits need their parents looked up: few, the newest.
        const below = descendants
          .map((d) => ({ table: d, rows: o.unsent.writtenRows(d).filter((r) => lost(d, r, tombstone).length > 0 && isBelow(d, r, table, row)).length }))
          .filter((b) => b.rows > 0);
        if (own.length === 0 && below.length === 0) continue;
        told.add(`${tombstone}/${table}/${row}`);
        found.push({ table, row, tombstone, columns: [...new Set(own.map((w) => w.column))], below });
      }
    }
    return found;
  };
}
