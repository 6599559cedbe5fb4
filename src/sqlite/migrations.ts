/**
 * Schema migrations, in two parts:
 *
 * - The store's own tables (`fieldsync_messages`, `fieldsync_outbox`, `fieldsync_meta`,
 *   `fieldsync_columns`) are versioned with `PRAGMA user_version`: each step below runs once,
 *   in order, in the open transaction. Add a step to change them; never edit a released one.
 * - The app's data tables follow the declared schema (migrate-data-tables.ts).
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../sync/index.ts';
import { COLUMNS_TABLE } from './column-types.ts';
import { upgradeFirstLayout } from './first-layout.ts';
import { MESSAGES_TABLE, META_TABLE, OUTBOX_TABLE } from './sql-columns.ts';

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
  // 6: the type each data column's values were written with (column-types.ts), so that a
  // schema that changes a column's type converts its values instead of misreading them, and
  // messages kept in rows are read back exactly whatever the schema says now. A cell may then
  // hold a BLOB (sql-values.ts), which an older app would misread.
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${COLUMNS_TABLE} (tbl TEXT NOT NULL, col TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (tbl, col)) WITHOUT ROWID`);
  },
];

/** The version the store's own tables are at after `migrateStore`. */
export const STORE_VERSION = STORE_STEPS.length;

/**
 * A file that a newer version of the app wrote (its store version is greater than this code
 * knows): refused, and left as it was. A StoreError, so callers that handle those handle it;
 * `version` and `known` say which versions met.
 */
export class StoreVersionError extends StoreError {
  readonly version: number;
  readonly known: number;
  constructor(version: number) {
    super(`this database was written by a newer version of the app (store version ${version}, this app knows ${STORE_VERSION})`);
    this.name = 'StoreVersionError';
    this.version = version;
    this.known = STORE_VERSION;
  }
}

/** Throws StoreVersionError for a file a newer version wrote; returns its store version otherwise. */
export function refuseNewerStore(db: Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE_VERSION) throw new StoreVersionError(current);
  return current;
}

/** Brings the store's own tables up to date. Call inside a transaction. */
export function migrateStore(db: Database): void {
  const current = refuseNewerStore(db);
  if (current === 1) upgradeFirstLayout(db); // version 1 had two layouts (first-layout.ts)
  for (let v = current; v < STORE_VERSION; v++) (STORE_STEPS[v] as Step)(db);
  if (current !== STORE_VERSION) db.pragma(`user_version = ${STORE_VERSION}`);
}
