/** Chooses and opens the server store the settings ask for, and the poke bus that goes with it. */
import { join } from 'node:path';
import { DEFAULT_MAX_DRIFT_MS, type ServerStore } from 'fieldsync/server';
import { ConfigError } from '../config.ts';
import { ensureOwnDataDir } from '../own-files.ts';
import type { PokeBus } from '../poke-bus.ts';
import { createPostgresPokeBus } from '../postgres-poke-bus.ts';
import { LOCK_FILE, PID_FILE, lockDataDir } from './data-dir-lock.ts';
import { createPostgresServerStore } from './postgres-server-store.ts';
import { openSqliteStoreThread } from './store-thread.ts';

export const SQLITE_FILE = 'fieldsync.sqlite';

/** Thrown for a store that this version of the server cannot open. */
export class UnsupportedStoreError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedStoreError';
  }
}

export interface StoreSettings {
  readonly dataDir: string;
  readonly compaction: boolean;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections of this process. Default 10. */
  readonly databasePoolMax?: number;
  /** PostgreSQL: the longest wait for another process's schema migration. Default 5 minutes. */
  readonly migrationWaitMs?: number;
  /** For the SQLite store, which handles whole requests in its thread: the drift limit. Default 5 minutes. */
  readonly maxDriftMs?: number;
  /** For the SQLite store: worker threads that parse large bodies. Default 1. */
  readonly parseWorkers?: number;
  /** For the SQLite store: pull-only syncs answered in a thread of their own. Default true. */
  readonly pullThread?: boolean;
}

export interface OpenedStore {
  readonly store: ServerStore;
  /** What was opened, for the log (never a password). */
  readonly description: string;
  /**
   * Opens the poke bus that reaches every server process sharing this store's database
   * (PostgreSQL LISTEN/NOTIFY). Absent for a store of one process: an in-process bus does.
   * The bus must be closed before the store.
   */
  readonly openPokeBus?: (onError: (err: unknown, what: string) => void) => Promise<PokeBus>;
}

/** `postgres host:port/database`: the URL without its credentials. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.host}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

/** What the store reports that no request sees: for the server's log. */
export interface StoreProblems {
  /** A pull that failed after a stored push. */
  readonly onPullError?: (err: Error) => void;
  /** An idle PostgreSQL connection that the database ended. */
  readonly onDatabaseError?: (err: Error) => void;
  /** A checkpoint of the SQLite WAL that failed in its own thread (the writer's own go on). */
  readonly onCheckpointError?: (err: Error) => void;
  /** This process waits for another's PostgreSQL schema migration (a start that seems to hang says why). */
  readonly onMigrationWait?: (message: string) => void;
}

/** Opens the store; PostgreSQL's schema is created or migrated first. */
export async function openStore(settings: StoreSettings, problems: StoreProblems = {}): Promise<OpenedStore> {
  const { onPullError, onDatabaseError, onCheckpointError, onMigrationWait } = problems;
  if (settings.databaseUrl !== undefined) {
    const store = await createPostgresServerStore({
      url: settings.databaseUrl,
      compaction: settings.compaction,
      // An idle connection the database ended: no request sees it, so only the log says so.
      ...(onDatabaseError ? { onError: onDatabaseError } : {}),
      ...(settings.databasePoolMax !== undefined ? { poolMax: settings.databasePoolMax } : {}),
      ...(settings.migrationWaitMs !== undefined ? { migrationWaitMs: settings.migrationWaitMs } : {}),
      ...(onMigrationWait ? { onMigrationWait } : {}),
    });
    return {
      store,
      description: describePostgres(settings.databaseUrl),
      openPokeBus: (onError) => createPostgresPokeBus({ pool: store.pool, onError }),
    };
  }
  // The server's own folder: 0700, even if it existed looser, and its user's, with what is in it (own-files.ts).
  const files = [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`, `${SQLITE_FILE}-journal`, LOCK_FILE, PID_FILE];
  ensureOwnDataDir(settings.dataDir, files);
  const file = join(settings.dataDir, SQLITE_FILE);
  const lock = lockDataDir(settings.dataDir); // one server process per SQLite database
  let store: ServerStore;
  try {
    // In a worker thread: its synchronous transactions never hold up the event loop.
    store = await openSqliteStoreThread({
      store: { file, compaction: settings.compaction },
      maxDriftMs: settings.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS,
      parseWorkers: settings.parseWorkers ?? 1,
      pullThread: settings.pullThread ?? true,
      onPullError: (err) => onPullError?.(err),
      onCheckpointError: (err) => onCheckpointError?.(err),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = store.close?.bind(store);
  const locked: ServerStore = Object.assign(store, {
    async close() {
      try {
        await close?.();
      } finally {
        lock.release();
      }
    },
  });
  return { store: locked, description: `sqlite ${file}` };
}
