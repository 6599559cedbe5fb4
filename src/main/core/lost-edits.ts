/**
 * Edits of this device's that a delete on another device hid. Per field, the newest write
 * wins, so a todo ticked here while offline keeps its tick after a pull brings in another
 * device's earlier delete of it: the tick is in the row, but the row is gone (its tombstone
 * won too), and the tick with it. No value was replaced, so no `replaced` event tells of it,
 * and the user saw the todo vanish without a word.
 *
 * When a pull deletes a row (its own tombstone, from another device) while this device has
 * edits of it that had not reached the server, the deleter cannot have seen them: the app
 * says so and offers to bring the row back. A restore is a newer `_deleted: false`, so the
 * row comes back with every field as it is, the lost edit's too.
 *
 * Only pending edits count, not the conflict judge's other rules (conflict-judge.ts): a
 * device that deletes a row has seen it, so the writes that made it reached that device, and
 * "stamped less than two seconds after they arrived" would call every quick delete of a new
 * row a conflict. What it therefore cannot see: an edit that reached the server just before
 * a delete made offline elsewhere, and writes this process does not know (unsent-writes.ts).
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
  readonly unsent: Pick<UnsentWrites, 'rowWrites' | 'isPending' | 'pendingRows'>;
  /** The hlc of the row's winning tombstone when the row is deleted now, else null. */
  readonly tombstone: (table: string, row: string) => string | null;
  /** The id in a row's parent column, or null. */
  readonly parentOf: (table: string, row: string) => string | null;
}

/** Finds them among the rows a pull changed, each delete once (a later change of a deleted row says nothing new). */
export function createLostEdits(o: LostEditsOptions): (change: ChangeEvent) => DeletedEdit[] {
  const told = new Set<string>();
  // Judged at once: the status after this pull marks the writes it pushed as arrived.
  const pending = (table: string, row: string) => o.unsent.rowWrites(table, row).filter((w) => o.unsent.isPending(w.hlc));
  // A row this device deleted (or restored) meanwhile itself: it knows of its fate, no edit is lost to it.
  const pendingEdits = (table: string, row: string) => {
    const writes = pending(table, row);
    return writes.some((w) => w.column === TOMBSTONE_COLUMN) ? [] : writes;
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
        const own = pending(table, row);
        if ((own.length === 0 && descendants.length === 0) || own.some((w) => w.column === TOMBSTONE_COLUMN)) continue;
        const tombstone = o.tombstone(table, row);
        // Deleted here (another device changed a field of it since): nothing to tell.
        if (tombstone === null || hlcClientId(tombstone) === o.clientId || told.has(`${tombstone}/${table}/${row}`)) continue;
        const below = descendants
          .map((d) => ({ table: d, rows: o.unsent.pendingRows(d).filter((r) => pendingEdits(d, r).length > 0 && isBelow(d, r, table, row)).length }))
          .filter((b) => b.rows > 0);
        if (own.length === 0 && below.length === 0) continue;
        told.add(`${tombstone}/${table}/${row}`);
        found.push({ table, row, tombstone, columns: [...new Set(own.map((w) => w.column))], below });
      }
    }
    return found;
  };
}
