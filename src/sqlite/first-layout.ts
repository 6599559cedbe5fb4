/**
 * The first SQLite client store (commit 68cecb9, 2026-11-24) wrote store version 1 in a
 * layout that a6c5af4 replaced in place without a new version: every message, this client's
 * unpushed ones too, in `fieldsync_messages` (with a cell index, a pending index and an error
 * index), no `fieldsync_outbox`, and data tables without the `_hlc_<column>` beside each
 * value. Such a file says version 1 like the later layout, so it is recognised by its missing
 * outbox and brought to that layout here, in the open transaction, before the steps from
 * version 1 on run: without this the current code failed to open it ("no such table:
 * fieldsync_outbox") and its unpushed writes were never pushed.
 */
import type { Database } from 'better-sqlite3';
import { MESSAGES_TABLE, OUTBOX_TABLE, quoteIdent } from './sql-columns.ts';

const exists = (db: Database, type: string, name: string): boolean =>
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?`).get(type, name) !== undefined;

/** Brings a file of the first layout to the later layout of store version 1; any other file is left as it is. */
export function upgradeFirstLayout(db: Database): void {
  if (exists(db, 'table', OUTBOX_TABLE) || !exists(db, 'table', MESSAGES_TABLE)) return;
  // Each data value gets the hlc of its winner, which the layout read from the cell index:
  // the greatest applied message of the cell that the server did not refuse.
  const cells = db.prepare<[], { tbl: string; col: string }>(`SELECT DISTINCT tbl, col FROM ${MESSAGES_TABLE} WHERE applied = 1`).all();
  const tables = new Map<string, Set<string>>();
  for (const { tbl, col } of cells) {
    if (!exists(db, 'table', tbl)) continue;
    const columns = tables.get(tbl) ?? new Set((db.pragma(`table_info(${quoteIdent(tbl)})`) as { name: string }[]).map((c) => c.name));
    tables.set(tbl, columns);
    if (!columns.has(col)) continue;
    const hlc = quoteIdent(`_hlc_${col}`);
    if (!columns.has(`_hlc_${col}`)) db.exec(`ALTER TABLE ${quoteIdent(tbl)} ADD COLUMN ${hlc} TEXT`);
    columns.add(`_hlc_${col}`);
    db.prepare(`UPDATE ${quoteIdent(tbl)} AS d SET ${hlc} = (SELECT max(m.hlc) FROM ${MESSAGES_TABLE} AS m
      WHERE m.tbl = ? AND m.col = ? AND m.row = d.id AND m.applied = 1 AND m.error IS NULL)`).run(tbl, col);
  }
  db.exec(`
    CREATE TABLE ${OUTBOX_TABLE} (
      hlc TEXT PRIMARY KEY NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL,
      value TEXT NOT NULL, applied INTEGER NOT NULL, error TEXT
    ) WITHOUT ROWID;
    -- This client's messages the server does not hold yet (pending or refused) move to the outbox.
    INSERT INTO ${OUTBOX_TABLE} (hlc, tbl, row, col, value, applied, error)
      SELECT hlc, tbl, row, col, value, applied, error FROM ${MESSAGES_TABLE} WHERE local = 1 AND synced = 0;
    DELETE FROM ${MESSAGES_TABLE} WHERE local = 1 AND synced = 0;
    DROP INDEX IF EXISTS ${MESSAGES_TABLE}_cell;
    DROP INDEX IF EXISTS ${MESSAGES_TABLE}_pending;
    DROP INDEX IF EXISTS ${MESSAGES_TABLE}_error;
  `);
}
