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
 * Its code is postgres-pull.ts's, and the pool's postgres-pool.ts's (round 65's split: this
 * file holds the pushes, the epoch renewals, the newer-schema latch, interrupt and close).
 */
import type { Pool, PoolClient } from 'pg';
import { StoreError, type Message } from 'fieldsync';
import { checkServerStoreCall, newEpoch, type PullOptions, type PullResult, type PushResult, type ServerStore } from 'fieldsync/server';
import { createNewerSchemaLatch, NewerSchemaError, type NewerSchemaListener } from './newer-schema.ts';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './postgres-schema.ts';
import { createPostgresPool, DEFAULT_STATEMENT_TIMEOUT_MS, toSafeInteger, type PostgresPoolOptions } from './postgres-pool.ts';
import { createPostgresPull } from './postgres-pull.ts';
import { PUSH_COMPACTING, PUSH_PLAIN, RENEW_EPOCH, USER_EPOCH } from './postgres-sql.ts';
import { createStatementTracker, StoreClosingError } from './postgres-statements.ts';
import { inTransaction } from './postgres-transaction.ts';
import { createUserQueues } from './user-queues.ts';

// The pool is postgres-pool.ts's (round 65's split); its names are still this module's, for the callers of before.
export { createPostgresPool, DEFAULT_POOL_MAX, DEFAULT_STATEMENT_TIMEOUT_MS, QUERY_TIMEOUT_MARGIN_MS, toSafeInteger, type PostgresPoolOptions } from './postgres-pool.ts';

export const DEFAULT_MAX_SCAN_ROWS = 50_000;
export const DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024;

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
  const pullPage = createPostgresPull({ statements, checkVersion, explainSchema, maxScanRows, maxPageBytes });
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
      return pullPage(userId, o);
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
