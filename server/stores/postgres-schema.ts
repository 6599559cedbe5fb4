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

/** How long a process waits for another's migration by default: a large migration can take minutes. */
export const DEFAULT_MIGRATION_WAIT_MS = 300_000;

export interface MigrationOptions {
  /**
   * The longest wait for a lock: another process's migration (its advisory lock), or a table a
   * migration alters. Past it the migration fails (PostgresSchemaError), rolled back whole.
   * PostgreSQL's own statement_timeout (the pool's, 30 s, a request's bound) and lock_timeout
   * do not apply to the migration: a migration cut off there was rolled back at every start.
   * Nor does this bound its own work: a migration runs as long as its data takes.
   */
  readonly waitMs?: number;
  /** Told once, when another process holds the migration lock and this one starts to wait. */
  readonly onWait?: (message: string) => void;
}

/**
 * Creates the schema or brings it up to date, in one transaction under an advisory lock.
 * Returns the version it found and the version it left.
 */
export function migratePostgres(pool: Pool, options: MigrationOptions = {}): Promise<{ from: number; to: number }> {
  return inTransaction(pool, (client) => migrateIn(client, options));
}

/** Who holds the migration lock, for the log: PostgreSQL's pid of its session and its application name. */
async function lockHolder(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ pid: number; app: string }>(
    `SELECT a.pid, a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid LIMIT 1`,
    [MIGRATION_LOCK_KEY],
  );
  const holder = rows[0];
  return holder === undefined ? 'another process' : `another process (PostgreSQL session ${holder.pid}, application "${holder.app}")`;
}

/**
 * Who holds a lock on a fieldsync table, for the log when a migration gave up waiting for one
 * (round 63: the line said only "a session"): PostgreSQL's pid of a session other than ours
 * holding a lock on one of them, its application name and state (an operator's `idle in
 * transaction` psql, say). Run after a rollback to a savepoint, so the transaction can still ask.
 */
async function tableHolder(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ pid: number; app: string; state: string | null }>(
    `SELECT a.pid, a.application_name AS app, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.relation IN (SELECT c.oid FROM pg_class c WHERE c.relname LIKE 'fieldsync\\_%')
     ORDER BY a.xact_start NULLS LAST LIMIT 1`,
  );
  const holder = rows[0];
  return holder === undefined ? 'a session holds a table it alters' : `a session holds a table it alters: PostgreSQL session ${holder.pid}, application "${holder.app}", state "${holder.state ?? 'unknown'}"`;
}

/** pg's query_timeout for "none": 0 means the pool's bound, and setTimeout takes at most 2^31 - 1 ms (24.8 days). */
const NO_CLIENT_BOUND = 2 ** 31 - 1;

/**
 * A process killed inside its migration (SIGKILL, out of memory, a deploy's timeout) leaves its
 * backend behind, and PostgreSQL notices a client gone only when it next reads from or writes to
 * its socket: parked on a lock, or in a long statement, that backend went on holding the
 * migration's locks, the advisory lock the other processes wait on among them, until its
 * statement ended (a lock wait bounded only by FIELDSYNC_MIGRATION_WAIT: 5 minutes). Checked
 * every second, it ends with its client and rolls back. PostgreSQL 14 and later; where the
 * setting is unknown or refused (an older server, a platform without the check), skipped.
 */
const CHECK_CLIENT = `DO $$ BEGIN PERFORM set_config('client_connection_check_interval', '1000', true); EXCEPTION WHEN OTHERS THEN NULL; END $$`;

async function migrateIn(client: PoolClient, options: MigrationOptions): Promise<{ from: number; to: number }> {
  const waitMs = Math.max(1, Math.floor(options.waitMs ?? DEFAULT_MIGRATION_WAIT_MS));
  // Every statement here may wait up to waitMs for a lock, and none is cut by time otherwise;
  // the client's own bound (query_timeout) is raised to match, or it would end the wait at 35 s.
  await client.query(`SET LOCAL statement_timeout = 0`);
  await client.query(`SET LOCAL lock_timeout = ${waitMs}`);
  await client.query(CHECK_CLIENT);
  const query = (text: string, values?: unknown[], bound = waitMs + 60_000) => client.query({ text, values, query_timeout: bound } as never);
  const [got] = (await client.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS got', [MIGRATION_LOCK_KEY])).rows;
  if (got?.got !== true) {
    const holder = await lockHolder(client);
    options.onWait?.(`waiting for ${holder} to finish migrating the fieldsync schema (up to ${waitMs / 1000} s)`);
    try {
      await query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    } catch (err) {
      if ((err as { code?: unknown }).code !== '55P03') throw err;
      throw new PostgresSchemaError(`gave up after ${waitMs / 1000} s waiting for ${holder} to finish migrating the fieldsync schema (its lock is still held: a migration still running, or a stuck session to end); start again later`);
    }
  }
  await query(`CREATE TABLE IF NOT EXISTS fieldsync_schema (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = (await query('SELECT max(version) AS version FROM fieldsync_schema')) as { rows: { version: number | null }[] };
  const from = rows[0]?.version ?? 0;
  if (from > POSTGRES_SCHEMA_VERSION) {
    throw new PostgresSchemaError(
      `the database has fieldsync schema version ${from}, newer than this server knows (${POSTGRES_SCHEMA_VERSION}); upgrade the server`,
    );
  }
  // A savepoint before the migrations: a lock wait that gives up aborts the transaction, and
  // only after a rollback to it can the transaction still ask who held the lock (tableHolder).
  await query('SAVEPOINT migrations');
  try {
    // A migration's own work is not cut by time: its length is the data's (an UPDATE of every
    // user), and a cut rolled it all back, at every start again (until round 62 the bound above:
    // a migration longer than FIELDSYNC_MIGRATION_WAIT + 60 s never finished). Its lock waits
    // keep lock_timeout; a process stopped meanwhile ends its backend (CHECK_CLIENT).
    for (let v = from; v < POSTGRES_SCHEMA_VERSION; v++) {
      await query(MIGRATIONS[v] as string, undefined, NO_CLIENT_BOUND);
      await query('INSERT INTO fieldsync_schema (version) VALUES ($1)', [v + 1], NO_CLIENT_BOUND);
    }
  } catch (err) {
    if ((err as { code?: unknown }).code !== '55P03') throw err;
    await query('ROLLBACK TO SAVEPOINT migrations');
    const holder = await tableHolder(client).catch(() => 'a session holds a table it alters');
    throw new PostgresSchemaError(`gave up after ${waitMs / 1000} s waiting for a lock to migrate the fieldsync schema from version ${from} (${holder}); nothing was changed`);
  }
  return { from, to: POSTGRES_SCHEMA_VERSION };
}
