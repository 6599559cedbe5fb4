/**
 * The PostgreSQL store's schema and its migrations, versioned in `fieldsync_schema`.
 *
 * Every process runs `migratePostgres` when it starts. The whole migration runs in one
 * transaction that first takes a transaction-level advisory lock, so several processes
 * starting at once apply each migration exactly once: the others wait for the lock, then
 * find the schema up to date. A database written by a newer server (a greater version
 * than this code knows) is refused instead of being misread.
 *
 * Text columns compared or indexed use the "C" collation: an `hlc` orders by plain
 * code-unit comparison in every client, and PostgreSQL must order it the same way,
 * whatever the database's default collation.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './postgres-transaction.ts';

/** The key of the advisory lock that serializes migrations (any constant; "fieldsyn"). */
export const MIGRATION_LOCK_KEY = '7306091936624103022';

const MIGRATIONS: readonly string[] = [
  // 1: users with their id counter (the row every push locks: see docs/postgres.md), and
  // the messages. `value` is JSON text in a `text` column, not `jsonb`: jsonb rejects the
  // \u0000 escape and lone-surrogate escapes that valid messages may contain, and would
  // not give the exact text back. The cell index (with hlc last, so the cell's greatest
  // hlc is one index probe) serves compaction; it is not unique, so processes with
  // compaction on and off may share the database (see docs/postgres.md).
  `CREATE TABLE fieldsync_users (
     user_id text COLLATE "C" PRIMARY KEY,
     last_id bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE fieldsync_messages (
     user_id   text COLLATE "C" NOT NULL,
     id        bigint NOT NULL,
     hlc       text COLLATE "C" NOT NULL,
     tbl       text COLLATE "C" NOT NULL,
     row_id    text COLLATE "C" NOT NULL,
     col       text COLLATE "C" NOT NULL,
     value     text NOT NULL,
     client_id text COLLATE "C" NOT NULL,
     PRIMARY KEY (user_id, id),
     UNIQUE (user_id, hlc)
   );
   CREATE INDEX fieldsync_messages_by_cell ON fieldsync_messages (user_id, tbl, row_id, col, hlc);`,
  // 2: each user's log has an epoch (docs/protocol.md, "Epochs"): random, renewed when a
  // client shows a cursor beyond the log's end (the database was restored from a backup).
  `ALTER TABLE fieldsync_users ADD COLUMN epoch text COLLATE "C" NOT NULL DEFAULT '';
   UPDATE fieldsync_users SET epoch = substr(md5(random()::text || clock_timestamp()::text), 1, 16);`,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the database cannot be used by this version of the server. */
export class PostgresSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresSchemaError';
  }
}

/**
 * Creates the schema or brings it up to date, in one transaction under an advisory lock.
 * Returns the version it found and the version it left.
 */
export function migratePostgres(pool: Pool): Promise<{ from: number; to: number }> {
  return inTransaction(pool, migrateIn);
}

async function migrateIn(client: PoolClient): Promise<{ from: number; to: number }> {
  await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  await client.query(`CREATE TABLE IF NOT EXISTS fieldsync_schema (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM fieldsync_schema');
  const from = rows[0]?.version ?? 0;
  if (from > POSTGRES_SCHEMA_VERSION) {
    throw new PostgresSchemaError(
      `the database has fieldsync schema version ${from}, newer than this server knows (${POSTGRES_SCHEMA_VERSION}); upgrade the server`,
    );
  }
  for (let v = from; v < POSTGRES_SCHEMA_VERSION; v++) {
    await client.query(MIGRATIONS[v] as string);
    await client.query('INSERT INTO fieldsync_schema (version) VALUES ($1)', [v + 1]);
  }
  return { from, to: POSTGRES_SCHEMA_VERSION };
}
