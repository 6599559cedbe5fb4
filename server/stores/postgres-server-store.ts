/**
 * The PostgreSQL server store: several server processes share one database. It implements
 * the server-store contract of `src/sync/server/server-store.ts` with the in-memory
 * reference store's semantics, compaction included. docs/postgres.md explains the design.
 *
 * A push is one READ COMMITTED transaction (BEGIN, then):
 *   1. `SELECT last_id ... FOR UPDATE` locks the user's counter row (created on first use).
 *      Every push of one user queues here, so one user's pushes run one after another.
 *   2. One set-based statement, started after the lock was granted (so its snapshot sees
 *      every earlier push of the user): it drops hlcs already stored or repeated in the
 *      batch, applies compaction, numbers what it keeps from `last_id + 1` in request
 *      order, deletes the cells' losers, inserts the batch with one `INSERT ... SELECT`
 *      over `unnest` of arrays, and moves `last_id` forward.
 *   3. COMMIT, which releases the lock. The next writer of the user is then granted it and
 *      numbers after our ids: ids are assigned and committed in id order, so every
 *      snapshot holds a prefix of the user's ids.
 *
 * Within a process, one user's pushes (and epoch renewals, which lock the same row) wait for
 * each other in memory before taking a pool connection, so that a burst of one user cannot
 * hold every connection on the lock.
 *
 * A pull is one statement (so one snapshot): a page of messages after the cursor and the
 * user's `last_id` from the same snapshot, which is the cursor returned when the page ends.
 */
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { StoreError, type JsonValue, type Message } from 'fieldsync';
import { checkServerStoreCall, newEpoch, type PullOptions, type PullResult, type PushResult, type ServerMessage, type ServerStore } from 'fieldsync/server';
import { createNewerSchemaLatch, NewerSchemaError, type NewerSchemaListener } from './newer-schema.ts';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './postgres-schema.ts';
import { PULL, PUSH_COMPACTING, PUSH_PLAIN, RENEW_EPOCH, USER_EPOCH, type PullRow } from './postgres-sql.ts';
import { createStatementTracker, StoreClosingError } from './postgres-statements.ts';
import { inTransaction, watchStopNotices } from './postgres-transaction.ts';
import { createUserQueues } from './user-queues.ts';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database?...` */
  readonly url: string;
  /** The most connections this process opens. Default 10. */
  readonly poolMax?: number;
  /** Statements running longer are cancelled (lock waits included), in ms. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /**
   * A statement the database has not answered after this long fails on the client's side
   * (DatabaseTimeoutError, answered 503) and its connection is closed, in ms. `statement_timeout`
   * is the database's own: a database that froze, or a network that silently drops packets,
   * never answers it, and the request would wait forever. Default: statementTimeoutMs + 5 s
   * (35 s; with a statementTimeoutMs of 0, PostgreSQL's "no limit", 35 s as well).
   */
  readonly queryTimeoutMs?: number;
  /** Idle connections are closed after this long, in ms. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** How long to wait for a connection (a new one, or a free one of a full pool), in ms. Default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** A transaction idle this long is ended by the database (releasing its locks), in ms. Default 10 s. */
  readonly idleInTransactionTimeoutMs?: number;
  /** Shown in `pg_stat_activity`. Default "fieldsync". */
  readonly applicationName?: string;
  /** Errors of idle connections (the database restarted, for instance). Default: ignored; the pool replaces them. */
  readonly onError?: (err: Error) => void;
}

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** How much longer than statement_timeout the client waits: the database cancels first when it can. */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;
export const DEFAULT_MAX_SCAN_ROWS = 50_000;
export const DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** A bounded connection pool with the store's timeouts. */
export function createPostgresPool(options: PostgresPoolOptions): Pool {
  const max = options.poolMax ?? DEFAULT_POOL_MAX;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`poolMax must be a positive integer, got ${max}`);
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // statement_timeout 0 is PostgreSQL's "no limit"; the client-side bound stays a bound then.
  const queryTimeout = options.queryTimeoutMs ?? (statementTimeout > 0 ? statementTimeout : DEFAULT_STATEMENT_TIMEOUT_MS) + QUERY_TIMEOUT_MARGIN_MS;
  if (!Number.isInteger(queryTimeout) || queryTimeout < 1) throw new RangeError(`queryTimeoutMs must be a positive integer, got ${queryTimeout}`);
  const config: PoolConfig = {
    connectionString: options.url,
    max,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    statement_timeout: statementTimeout,
    // Client-side: pg fails a query unanswered this long; the store then discards its connection
    // (a statement's client is closed when it fails: postgres-statements.ts, postgres-transaction.ts).
    query_timeout: queryTimeout,
    // A transaction left open (a process that froze or vanished mid-push without closing
    // its connection) must not hold a user's lock for long: a push is never idle for more
    // than a round trip between its statements.
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'fieldsync',
    keepAlive: true,
  };
  const pool = new pg.Pool(config);
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (err) => options.onError?.(err));
  // pg-pool listens on a client only while it is idle, and a connection the database ends
  // (a restart, a failover, pg_terminate_backend) emits 'error' on its client whatever it is
  // doing: handed out, or being destroyed after it was released broken. With no listener Node
  // throws it, and the process ends with every request in flight. The error itself also fails
  // the client's query (or its next one); this listener only keeps it from being thrown.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // An immediate shutdown's or a crash restart's notice, for the error of the statement it ends.
    watchStopNotices(client);
  });
  return pool;
}

/** With `url`, the rest of PostgresPoolOptions set up the store's own pool. */
export interface PostgresServerStoreOptions extends Partial<PostgresPoolOptions> {
  /** The database; the store opens its own pool and closes it on close(). */
  readonly url?: string;
  /** Or a pool that the caller owns: close() leaves it open. */
  readonly pool?: Pool;
  /** Drop messages that lost their cell (docs/protocol.md §4). Default true. */
  readonly compaction?: boolean;
  /** Create or migrate the schema before returning. Default true. */
  readonly migrate?: boolean;
  /** The longest wait for another process's migration, or a lock a migration needs (postgres-schema.ts). Default 5 minutes. */
  readonly migrationWaitMs?: number;
  /** Told when this process starts to wait for another's migration: for the log. */
  readonly onMigrationWait?: (message: string) => void;
  /**
   * The most ids one pull steps over, so that one request's work stays bounded even when a
   * client's own messages (left out of its pulls) pile up after its cursor. When reached,
   * the page ends with `more: true` and a cursor past every id examined.
   */
  readonly maxScanRows?: number;
  /** The most bytes of message values one page returns (at least one message always is). */
  readonly maxPageBytes?: number;
}

export interface PostgresServerStore extends ServerStore {
  push(userId: string, messages: readonly Message[]): Promise<PushResult>;
  pull(userId: string, options: PullOptions): Promise<PullResult>;
  renewEpoch(userId: string, current: string): Promise<string>;
  /**
   * For a server shutting down: refuses new work and the work queued (StoreClosingError, 503),
   * and cancels the statements in flight (a push waiting on a held lock fails at once, rolled
   * back, 503), rather than leaving the stop to wait statement_timeout. close() does it first.
   */
  interrupt(): Promise<void>;
  /** Why the store serves no more (another process migrated the database past it: newer-schema.ts), or null. */
  failure(): Error | null;
  /** Tells `listener` once when failure() becomes a newer schema's error (at once if it is): newer-schema.ts. Returns an unsubscribe. */
  onNewerSchema(listener: NewerSchemaListener): () => void;
  /** Interrupts, then ends the store's own pool. */
  close(): Promise<void>;
  /** The pool the store uses (shared with the LISTEN/NOTIFY poke bus, for instance). */
  readonly pool: Pool;
  readonly compaction: boolean;
}

/** pg returns bigint as text; ids stay far below 2^53, and anything else is a bug worth a loud error. */
export function toSafeInteger(text: string | number | null | undefined, what: string): number {
  const n = typeof text === 'number' ? text : Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} is not a safe integer: ${String(text)}`);
  return n;
}

/** SQLSTATEs after which a push transaction is simply run again: pushes are idempotent. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export async function createPostgresServerStore(options: PostgresServerStoreOptions): Promise<PostgresServerStore> {
  if ((options.url === undefined) === (options.pool === undefined)) throw new TypeError('createPostgresServerStore needs either url or pool');
  const compaction = options.compaction ?? true;
  const maxScanRows = Math.max(1, Math.floor(options.maxScanRows ?? DEFAULT_MAX_SCAN_ROWS));
  const maxPageBytes = Math.max(1, Math.floor(options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES));
  // How long a statement of a user waits in the user's queue for the ones before it:
  // as long as the database would let it wait on the lock (statement_timeout).
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const queueTimeoutMs = statementTimeout > 0 ? statementTimeout : DEFAULT_STATEMENT_TIMEOUT_MS;
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? createPostgresPool({ ...options, url: options.url as string });
  try {
    if (options.migrate ?? true) {
      await migratePostgres(pool, {
        ...(options.migrationWaitMs !== undefined ? { waitMs: options.migrationWaitMs } : {}),
        ...(options.onMigrationWait ? { onWait: options.onMigrationWait } : {}),
      });
    }
  } catch (err) {
    if (ownsPool) await pool.end().catch(() => undefined);
    throw err;
  }
  const pushSql = compaction ? PUSH_COMPACTING : PUSH_PLAIN;

  /** A push's statements, in its READ COMMITTED transaction. */
  const pushIn = async (client: PoolClient, userId: string, columns: string[][], count: number): Promise<PushResult> => {
    const lock = 'SELECT last_id FROM fieldsync_users WHERE user_id = $1 FOR UPDATE';
    let locked = await client.query<{ last_id: string }>(lock, [userId]);
    if (locked.rows.length === 0) {
      // First push of this user: create the counter row. A concurrent first push makes this
      // wait for it and do nothing; either way the row exists for the lock that follows.
      await client.query('INSERT INTO fieldsync_users (user_id, last_id, epoch) VALUES ($1, 0, $2) ON CONFLICT (user_id) DO NOTHING', [userId, newEpoch()]);
      locked = await client.query<{ last_id: string }>(lock, [userId]);
    }
    const lastId = toSafeInteger(locked.rows[0]?.last_id, 'last_id');
    // A new statement, so a new READ COMMITTED snapshot taken after the lock was granted:
    // it sees every push of this user that committed before ours.
    const result = await client.query<{ stored: number; schema_version: number | null }>(pushSql, [userId, lastId, ...columns]);
    checkVersion(result.rows[0]?.schema_version); // throws: the transaction is rolled back
    const stored = result.rows[0]?.stored ?? 0;
    return { accepted: count, stored, maxId: lastId + stored };
  };

  // Another process migrated the database past this code (newer-schema.ts): seen in a push's or
  // a pull's own statement, or after a statement that failed; refused from then on, untouched.
  const latch = createNewerSchemaLatch();
  const checkVersion = (version: number | null | undefined): void => {
    if (typeof version === 'number' && version > POSTGRES_SCHEMA_VERSION) latch.set(new NewerSchemaError(version, POSTGRES_SCHEMA_VERSION));
    const newer = latch.error();
    if (newer !== null) throw newer;
  };
  /**
   * A statement that failed on a table or column it did not find, or the like (SQLSTATE class
   * 42): a newer migration's doing if the version says so (one more statement, on failure only).
   */
  const explainSchema = async (err: unknown): Promise<unknown> => {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('42')) return err;
    try {
      checkVersion((await statements.query<{ version: number | null }>('SELECT max(version) AS version FROM fieldsync_schema', [])).rows[0]?.version);
    } catch (e) {
      if (e instanceof NewerSchemaError) return e;
    }
    return err;
  };

  // A user's pushes and renewals, one pool connection at a time (user-queues.ts).
  const inUserQueue = createUserQueues(queueTimeoutMs);
  // Every statement's connection, so that a shutdown can cancel it (postgres-statements.ts).
  const statements = createStatementTracker(pool);
  let closed = false;
  const store: PostgresServerStore = {
    pool,
    compaction,

    async push(userId, messages) {
      if (closed) throw new StoreError('the PostgreSQL store is closed');
      checkServerStoreCall('push', userId, messages);
      checkVersion(undefined); // refused at once once a newer schema was seen
      // Everything is read and serialized before the transaction begins: a message that
      // cannot be serialized fails the push before anything is written.
      const n = messages.length;
      const hlcs = new Array<string>(n), tables = new Array<string>(n), rows = new Array<string>(n);
      const columns = new Array<string>(n), values = new Array<string>(n), clientIds = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const m = messages[i] as Message;
        const value = JSON.stringify(m.value);
        if (typeof value !== 'string') throw new TypeError(`message ${i}: the value is not JSON`);
        hlcs[i] = m.hlc;
        tables[i] = m.table;
        rows[i] = m.row;
        columns[i] = m.column;
        values[i] = value;
        clientIds[i] = m.hlc.slice(30);
      }
      const arrays = [hlcs, tables, rows, columns, values, clientIds];
      return inUserQueue(userId, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await inTransaction(statements, (client) => pushIn(client, userId, arrays, n), 'BEGIN ISOLATION LEVEL READ COMMITTED');
          } catch (err) {
            const code = (err as { code?: unknown }).code;
            if (attempt < MAX_ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
            throw await explainSchema(statements.explain(err));
          }
        }
      });
    },

    async pull(userId, o) {
      if (closed) throw new StoreError('the PostgreSQL store is closed');
      checkServerStoreCall('pull', userId, o);
      checkVersion(undefined);
      // No message has an empty client_id: '' leaves none out.
      const { rows } = await statements.query<PullRow>(PULL, [userId, o.cursor, o.includeOwn === true ? '' : o.excludeClientId, o.limit, maxScanRows, maxPageBytes])
        .catch(async (err: unknown) => Promise.reject(await explainSchema(err)));
      const first = rows[0];
      checkVersion(first?.schema_version); // always one row, an unknown user's too (postgres-sql.ts)
      if (!first || first.last_id === null) return { messages: [], cursor: o.cursor, more: false, lastId: 0, epoch: '' }; // an unknown user
      const lastId = toSafeInteger(first.last_id, 'last_id');
      const epoch = first.epoch ?? '';
      const page = first.id === null ? [] : rows;
      const out: ServerMessage[] = [];
      for (const r of page) {
        if (out.length === o.limit) break;
        out.push({ id: toSafeInteger(r.id, 'id'), hlc: r.hlc, table: r.tbl, row: r.row_id, column: r.col, value: JSON.parse(r.value) as JsonValue });
      }
      const cutByBytes = page.length > 0 && toSafeInteger(first.n, 'n') > page.length;
      if (page.length > out.length || cutByBytes) {
        return { messages: out, cursor: (out[out.length - 1] as ServerMessage).id, more: true, lastId, epoch };
      }
      // Every id of the range was looked at. Ids up to last_id are all committed in this
      // snapshot, so the cursor may move to the end of the range, or to last_id.
      const rangeEnd = o.cursor + maxScanRows;
      if (rangeEnd < lastId) return { messages: out, cursor: rangeEnd, more: true, lastId, epoch };
      return { messages: out, cursor: Math.max(o.cursor, lastId), more: false, lastId, epoch };
    },

    async renewEpoch(userId, current) {
      if (closed) throw new StoreError('the PostgreSQL store is closed');
      checkServerStoreCall('renewEpoch', userId, current);
      checkVersion(undefined);
      // The update, or else the epoch another process has set, read by a statement of its own:
      // read in the update's statement (round 50 and before), it came from that statement's
      // snapshot, taken before the other process committed (READ COMMITTED re-checks only the
      // row updated), and was the epoch just replaced, which the client then kept.
      const query = (sql: string, values: unknown[]): Promise<{ rows: { epoch: string }[] }> => statements.query<{ epoch: string }>(sql, values);
      // The update waits for the user's counter row like a push: in the user's queue, so that
      // renewals waiting on a held lock take one connection, not the pool (until round 57 each
      // took one: a user's clients syncing with cursors past the log's end while another
      // process held the lock left every other user of the process waiting for a connection).
      return inUserQueue(userId, async () => {
        try {
          // Rare (a client restored past the log's end): the version is read by a statement of its own.
          checkVersion((await statements.query<{ version: number | null }>('SELECT max(version) AS version FROM fieldsync_schema', [])).rows[0]?.version);
          const renewed = await query(RENEW_EPOCH, [userId, current, newEpoch()]);
          return (renewed.rows[0] ?? (await query(USER_EPOCH, [userId])).rows[0])?.epoch ?? '';
        } catch (err) {
          throw await explainSchema(err);
        }
      });
    },

    failure: latch.error,
    onNewerSchema: latch.onNewerSchema,

    async interrupt() {
      inUserQueue.close(() => new StoreClosingError());
      await statements.interrupt();
    },

    async close() {
      if (closed) return;
      closed = true;
      await store.interrupt();
      if (ownsPool) await pool.end();
    },
  };
  return store;
}
