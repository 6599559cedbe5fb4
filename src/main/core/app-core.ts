/**
 * The app's core, without Electron: the SQLite store in the profile directory, the sync
 * client, and the API dispatcher. The Electron main process wraps it in a window and IPC;
 * tests and the browser host use it as it is.
 *
 * ```ts
 * const core = await createAppCore({ profileDir, profile: 'demo-1', serverUrl, token });
 * const envelope = await core.dispatch('create', ['lists', { name: 'Groceries' }]);
 * const off = core.onEvent((event) => send(event));
 * await core.close();
 * ```
 */
import { join } from 'node:path';
import type { AppEvent, AppInfo, Envelope } from '../../shared/app-api.ts';
import { DEVICES_TABLE, TOMBSTONE_COLUMN, type AppSchema } from '../../shared/app-schema-kit.ts';
import { appSchema } from '../../shared/app-schema.ts';
import { cellKey, createHttpRemote, createSyncClient, deviceNames, gzipRequests, pokeStream, type HttpRemoteOptions, type Remote, type SyncClient } from 'fieldsync';
import { nodeFetch } from 'fieldsync/node';
import { createSqliteStore, openDatabase, type Db } from 'fieldsync/sqlite';
import { createDispatcher } from './api-handlers.ts';
import { createConflictJudge } from './conflict-judge.ts';
import { toDataEvent } from './data-event.ts';
import { createInspectView } from './inspect-view.ts';
import { createLostEdits } from './lost-edits.ts';
import { createNetworkSim } from './network-sim.ts';
import { ensureOwnProfileDir } from './own-profile.ts';
import { cleartextTokenWarning, shownServerUrl } from './server-url.ts';
import { toSyncView, type SyncExtras } from './sync-view.ts';
import { createTableRepo } from './table-repo.ts';
import { trackWrites } from './tracked-writes.ts';
import { createUnsentWrites } from './unsent-writes.ts';

export const DB_FILE = 'fieldsync.db';
/** How many of the newest messages are read at start for this device's arrived writes: a few ms. */
const RECENT_AT_START = 5_000;

export interface AppCoreOptions {
  /** The profile's data directory; the database is `<profileDir>/fieldsync.db`. */
  readonly profileDir: string;
  /** The profile's name, shown in the window title and the sync panel. */
  readonly profile: string;
  /**
   * The name this instance publishes for the others to name it by (in the inspector, in
   * notices of replaced values) when it has published none yet; default the profile name.
   * Renamed with `setDeviceName`, and the new name stays.
   */
  readonly deviceName?: string;
  /** The sync server. Without a URL and a token, the app works locally. */
  readonly serverUrl?: string | null;
  readonly token?: string | null;
  /** How requests reach the server; default `nodeFetch()` of `fieldsync/node` (this runs in Node). */
  readonly fetch?: HttpRemoteOptions['fetch'];
  /**
   * The server as a `Remote`, instead of a URL and a token: the renderer's tests give each
   * core a server inside the test process (`createInProcessServer` of `fieldsync/testing`).
   */
  readonly remote?: Remote;
  readonly now?: () => number;
  /** The app's version, shown in `info()`. */
  readonly version?: string;
  /** Where unexpected errors go; default `console.error`. */
  readonly log?: (message: string, err: unknown) => void;
  /** The app's tables; default the app schema (`src/shared/app-schema.ts`). */
  readonly schema?: AppSchema;
  /** Sync timing, for tests. */
  readonly sync?: {
    readonly intervalMs?: number;
    readonly debounceMs?: number;
    readonly retry?: { initialMs?: number; maxMs?: number };
    /** False: sync only when asked (`syncNow`), for tests that look at pending changes. */
    readonly autoSync?: boolean;
  };
}

export interface AppCore {
  /** Runs one API call; never throws, every outcome is an envelope. */
  dispatch(method: unknown, args: unknown): Promise<Envelope>;
  /** Data and sync events; returns the function that unsubscribes. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  readonly info: AppInfo;
  /** The sync client and database, for tests and tools. */
  readonly client: SyncClient;
  readonly db: Db;
  close(): Promise<void>;
}

/**
 * Opens the profile's database and holds it for this process alone: two processes on one
 * profile would share a clientId and could stamp two different changes with the same
 * timestamp, which the server would then take for one. The lock is the database's own
 * (exclusive locking mode), so the operating system releases it when a process dies.
 */
function openProfileDatabase(profileDir: string, profile: string): Db {
  let db: Db | null = null;
  try {
    // The profile is the app's: 0700, even if it existed looser, and this user's own (own-profile.ts).
    ensureOwnProfileDir(profileDir, [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, `${DB_FILE}-journal`]);
    db = openDatabase(join(profileDir, DB_FILE), { busyTimeoutMs: 2000 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (err) {
    db?.close();
    // openDatabase's StoreError carries SQLite's own error as its cause.
    const code = (err as { code?: string }).code === 'store' ? ((err as { cause?: { code?: string } }).cause?.code) : (err as { code?: string }).code;
    if (code?.startsWith('SQLITE_BUSY')) {
      throw new Error(`the profile "${profile}" is in use by another process of this app`, { cause: err });
    }
    throw err;
  }
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const log = options.log ?? ((message, err) => console.error(`fieldsync: ${message}`, err));
  const serverUrl = options.serverUrl?.trim() || null;
  const token = options.token?.trim() || null;
  // The core runs in Node (Electron's main process, the browser host): node:http with a
  // keep-alive agent costs a fraction of the CPU of Node's global fetch per sync page.
  const http = options.remote || options.fetch || serverUrl === null || token === null ? null : nodeFetch();
  // Every request to the server goes through the simulated network (normal until the sync
  // panel's "Network" control changes it).
  const network = createNetworkSim(options.fetch ?? http ?? undefined);
  const remote = options.remote ?? (serverUrl !== null && token !== null ? createHttpRemote({ url: serverUrl, token, fetch: network.fetch, pokes: pokeStream(), compress: gzipRequests }) : null);
  const configured = remote !== null;

  const schema = options.schema ?? appSchema;
  const db = openProfileDatabase(options.profileDir, options.profile);
  let client: SyncClient;
  const store = createSqliteStore(db);
  try {
    client = await createSyncClient({
      schema: schema.sync,
      store,
      device: deviceNames({ name: options.deviceName?.trim() || options.profile, table: DEVICES_TABLE }),
      ...(remote ? { remote } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.sync?.intervalMs !== undefined ? { intervalMs: options.sync.intervalMs } : {}),
      ...(options.sync?.debounceMs !== undefined ? { debounceMs: options.sync.debounceMs } : {}),
      ...(options.sync?.retry ? { retry: options.sync.retry } : {}),
      ...(options.sync?.autoSync !== undefined ? { autoSync: options.sync.autoSync } : {}),
    });
  } catch (err) {
    db.close();
    http?.close();
    throw err;
  }

  const info: AppInfo = {
    profile: options.profile,
    clientId: client.clientId,
    serverUrl: shownServerUrl(serverUrl),
    serverWarning: remote !== null && !options.remote ? cleartextTokenWarning(serverUrl) : null,
    version: options.version ?? '0.0.0',
  };
  // This device's writes on their way to the server (counted in the sync panel), from those
  // pending at start, and which replaced values were a conflict (conflict-judge.ts).
  const started = client.status;
  const now = options.now ?? Date.now;
  // Read once here, beside the client: the store takes each read in one transaction of its own.
  const atStart = started.pending > 0 ? store.messages({ kind: 'pending', limit: started.pending }) : [];
  // And this device's writes among the newest messages, which reached the server before this
  // process started: a delete stamped before one of them was made without it (lost-edits.ts).
  const arrivedBefore = store.messages({ kind: 'recent', limit: RECENT_AT_START }).filter((m) => m.local && m.synced);
  const unsent = createUnsentWrites(now, atStart, started.pending, arrivedBefore);
  const judge = createConflictJudge({ clientId: client.clientId, now, unsent, status: started, addedLatencyMs: () => network.conditions.latencyMs });
  // After a write, the status again: the client reported its status before the write returned.
  const repo = createTableRepo(db, trackWrites(client, unsent, judge, () => sendStatus()), schema, options.now);
  const inspect = createInspectView(client, store, schema);
  let device = (await client.deviceNames([client.clientId])).get(client.clientId) ?? options.profile;
  // The app's own rows: this instance's published name (the devices table) is no change of the user's.
  const extras = (): SyncExtras => ({ device, network: network.conditions, unsentItems: unsent.rows((t) => schema.table(t) !== undefined) });
  const sendStatus = (): void => emit({ type: 'sync', sync: toSyncView(client.status, configured, extras()) });
  const dispatch = createDispatcher({
    schema, repo, client, info: () => info, configured, log, inspect, extras,
    setNetwork: (conditions) => network.set(conditions),
    // The name is read back from the store (it is what other instances see), and the call
    // that changed it answers only after, so a `syncStatus` right after a rename has it.
    statusChanged: async () => {
      try {
        device = (await client.deviceNames([client.clientId])).get(client.clientId) ?? device;
      } catch (err) {
        log('reading the device name failed', err);
      }
      sendStatus();
    },
  });

  const listeners = new Set<(event: AppEvent) => void>();
  const emit = (event: AppEvent): void => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        log('an event listener failed', err);
      }
    }
  };
  // A row another instance deleted without having seen this one's edits of it (lost-edits.ts).
  const lostEdits = createLostEdits({
    clientId: client.clientId,
    schema,
    unsent,
    parentOf(table, row) {
      const column = schema.table(table)?.parent?.column;
      const id = column === undefined ? undefined : store.readRow(table, row)?.[column];
      return typeof id === 'string' ? id : null;
    },
    tombstone(table, row) {
      if (store.readRow(table, row)?.[TOMBSTONE_COLUMN] !== true) return null;
      return store.winners([{ table, row, column: TOMBSTONE_COLUMN }]).get(cellKey(table, row, TOMBSTONE_COLUMN)) ?? null;
    },
  });
  const offChange = client.on('change', (e) => {
    emit(toDataEvent(e));
    const edits = lostEdits(e);
    if (edits.length === 0) return;
    inspect.deletedEdits(edits).then((notices) => {
      if (notices.length > 0) emit({ type: 'deletedEdits', notices });
    }, (err: unknown) => log('naming deleted rows failed', err));
  });
  const offStatus = client.on('status', (s) => {
    unsent.pending(s.pending);
    judge.status(s);
    emit({ type: 'sync', sync: toSyncView(s, configured, extras()) });
  });
  // A value written here that another instance's write replaced without having seen it. Judged
  // at once: the status that follows this pull marks this device's pushed writes as arrived.
  const offReplaced = client.on('replaced', (e) => {
    const cells = e.cells.filter((c) => judge.isConflict(c.previous.hlc, c.next.hlc));
    if (cells.length === 0) return;
    inspect.notices({ cells }).then((notices) => {
      if (notices.length > 0) emit({ type: 'replaced', notices });
    }, (err: unknown) => log('naming replaced values failed', err));
  });

  let closed: Promise<void> | null = null;
  return {
    dispatch: (method, args) =>
      closed ? Promise.resolve({ ok: false, error: { code: 'internal', message: 'The app is shutting down.' } }) : dispatch(method, args),
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    info,
    client,
    db,
    close() {
      closed ??= (async () => {
        offChange();
        offStatus();
        offReplaced();
        listeners.clear();
        try {
          await client.close();
        } finally {
          db.close();
          http?.close();
        }
      })();
      return closed;
    },
  };
}
