/**
 * Schema migrations, in two parts:
 *
 * - The store's own tables (`fieldsync_messages`, `fieldsync_outbox`, `fieldsync_meta`) are
 *   versioned with `PRAGMA user_version`: each step below runs once, in order, in the open
 *   transaction. Add a step to change them; never edit a released one.
 * - The app's data tables follow the declared schema: a missing table is created and a
 *   missing column is added (`ALTER TABLE ADD COLUMN`) when a later schema version declares
 *   it, each with its hidden `_hlc_<column>` and `_pending_<column>`; each table has one hidden
 *   `_unpushed` (unpushed-in-row.ts). Columns are never dropped or retyped, so data
 *   written by any version stays readable.
 *
 * Every column of a data table is nullable: the library may write `null` into any cell (a
 * cell whose only message the server refused falls back to null).
 */
import type { Database } from 'better-sqlite3';
import { MESSAGES_TABLE, META_TABLE, OUTBOX_TABLE, SQL_TYPES, UNPUSHED_SQL, type SqlTable } from './sql-columns.ts';

type Step = (db: Database) => void;

const STORE_STEPS: readonly Step[] = [
  // 1: messages, outbox and meta.
  (db) => {
    db.exec(`
      CREATE TABLE ${META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
      -- Every message the server holds: pulled ones, and this client's once pushed.
      CREATE TABLE ${MESSAGES_TABLE} (
        hlc TEXT PRIMARY KEY NOT NULL,
        tbl TEXT NOT NULL,
        row TEXT NOT NULL,
        col TEXT NOT NULL,
        value TEXT NOT NULL,            -- JSON text, so every value round-trips exactly
        local INTEGER NOT NULL,
        synced INTEGER NOT NULL,
        applied INTEGER NOT NULL,
        error TEXT
      ) WITHOUT ROWID;
      -- Messages kept for a later schema: few, read on open.
      CREATE INDEX ${MESSAGES_TABLE}_unapplied ON ${MESSAGES_TABLE} (hlc) WHERE applied = 0;
      -- This client's messages the server does not hold yet: pending (error NULL) or refused.
      -- Kept apart so that a local write touches one small table besides its data row, and
      -- the pending ones are read in key order without an index. They move to the messages
      -- table in the commit that records the server's acknowledgement.
      CREATE TABLE ${OUTBOX_TABLE} (
        hlc TEXT PRIMARY KEY NOT NULL,
        tbl TEXT NOT NULL,
        row TEXT NOT NULL,
        col TEXT NOT NULL,
        value TEXT NOT NULL,
        applied INTEGER NOT NULL,
        error TEXT
      ) WITHOUT ROWID;
    `);
  },
  // 2: nothing changes in the store's own tables: each data column gains a hidden
  // `_pending_<column>` (migrateDataTables adds it), which marks a local message kept only
  // in its data row. The new version keeps an older app, which would never push such
  // messages, from opening the file. Existing outbox rows stay where they are.
  () => {},
  // 3: nothing changes in the store's own tables either: a pulled message that wins its cell
  // is kept only in its data row, marked `_pending_<column>` = 2 (pulled-in-row.ts), and a
  // trigger per column (migrateDataTables creates it) moves it to the messages table when a
  // local write replaces it. An older app would read the mark as a pending message's.
  () => {},
  // 4: nothing changes in the store's own tables: each data table gains a hidden `_unpushed`
  // column (migrateDataTables adds it) where a local write keeps the unpushed messages it
  // replaces (unpushed-in-row.ts). An older app would never push them.
  () => {},
  // 5: the kept triggers of versions 3 and 4 are dropped: the store moves a kept message to
  // the messages table itself, before a write replaces it (kept-moves.ts), and a write that
  // replaces none runs no trigger program. An older app relies on the triggers: beside a
  // newer one on the same file, it would lose kept messages to its local writes.
  (db) => {
    const names = db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'trigger'
      AND (substr(name, 1, 15) = 'fieldsync_kept ' OR substr(name, 1, 20) = 'fieldsync_kept_mark ')`).pluck().all();
    // Their names hold a space and a dot ("fieldsync_kept_mark todos.title"): quoted as SQL quotes.
    for (const name of names) db.exec(`DROP TRIGGER "${name.replaceAll('"', '""')}"`);
  },
];

/** The version the store's own tables are at after `migrateStore`. */
export const STORE_VERSION = STORE_STEPS.length;

/** Brings the store's own tables up to date. Call inside a transaction. */
export function migrateStore(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE_VERSION) {
    throw new Error(`this database was written by a newer version of the app (store version ${current}, this app knows ${STORE_VERSION})`);
  }
  for (let v = current; v < STORE_VERSION; v++) (STORE_STEPS[v] as Step)(db);
  if (current !== STORE_VERSION) db.pragma(`user_version = ${STORE_VERSION}`);
}

/** Creates missing data tables and adds missing columns. Call inside a transaction. */
export function migrateDataTables(db: Database, tables: ReadonlyMap<string, SqlTable>): void {
  for (const table of tables.values()) {
    const existing = new Set((db.pragma(`table_info(${table.sql})`) as { name: string }[]).map((c) => c.name.toLowerCase()));
    if (existing.size === 0) {
      const columns = [...table.columns.values()].map((c) => `${c.sql} ${SQL_TYPES[c.type]}, ${c.hlcSql} TEXT, ${c.pendingSql} INTEGER`);
      db.exec(`CREATE TABLE ${table.sql} (id TEXT PRIMARY KEY NOT NULL, ${columns.join(', ')}, ${UNPUSHED_SQL} TEXT)`);
    } else {
      const add = (name: string, sql: string, type: string): void => {
        if (!existing.has(name.toLowerCase())) db.exec(`ALTER TABLE ${table.sql} ADD COLUMN ${sql} ${type}`);
      };
      for (const c of table.columns.values()) {
        add(c.name, c.sql, SQL_TYPES[c.type]);
        add(`_hlc_${c.name}`, c.hlcSql, 'TEXT');
        add(`_pending_${c.name}`, c.pendingSql, 'INTEGER'); // store version 1 had none
      }
      add('_unpushed', UNPUSHED_SQL, 'TEXT'); // store version 3 had none
    }
  }
}
