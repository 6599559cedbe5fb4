/**
 * The renderer's tests run against the real app core, not a fake of it: `createAppCore`
 * with its SQLite database in a temporary folder, the real dispatcher and sync client, and
 * a sync server inside the test process (`createInProcessServer`). jsdom tests run in Node,
 * so nothing here is simulated but the transport between renderer and core:
 *
 * - arguments, answers and events are copied (structured clone), as IPC copies them;
 * - events arrive after the call that caused them returns, as over IPC;
 * - every call is recorded (`calls`), a call can be made to fail (`failNext`), and a sync
 *   event can be pushed (`setSync`) to show states a local test cannot reach (an error, a
 *   retry time) — the transports of the real app can deliver exactly these.
 *
 * By default the core syncs only when asked (`pull`, "Sync now"), so that pending changes
 * stay visible; other devices are more real cores on the same server (`device`).
 */
import { afterEach } from 'vitest';
import { createAppCore, type AppCore } from '../../../main/core/app-core.ts';
import { tempDir } from '../../../../test-support/temp-dir.ts';
import type { ApiMethod } from '../../../shared/api-methods.ts';
import { createApiClient, type AppApi, type AppError, type AppEvent, type Envelope, type SyncView } from '../../../shared/app-api.ts';
import type { Remote } from 'fieldsync';
import { createMemoryServerStore } from 'fieldsync/server';
import { createInProcessServer, type InProcessServer } from 'fieldsync/testing';

export interface TestApiOptions {
  /** The profile name the app shows. Default `alice-1`. */
  readonly profile?: string;
  /** Sync on its own after writes and pokes, as the app does. Default false. */
  readonly autoSync?: boolean;
  /** The core's clock. */
  readonly now?: () => number;
  /**
   * Whether the server keeps only the winner of each cell (default true, as the reference
   * server does): with false, a write that lost on the server still reaches the others.
   */
  readonly compaction?: boolean;
}

export interface TestDevice {
  /** The device's API, called directly (no transport). */
  readonly api: AppApi;
  readonly core: AppCore;
  /** Pushes its changes and pulls everyone else's. */
  sync(): Promise<void>;
}

export interface TestApi {
  readonly api: AppApi;
  readonly core: AppCore;
  readonly server: InProcessServer;
  /** Every call the renderer made, in order, with copies of its arguments. */
  readonly calls: Array<{ readonly method: ApiMethod; readonly args: readonly unknown[] }>;
  /** The next call of `method` fails with this error, without reaching the core. */
  failNext(method: ApiMethod, error: AppError): void;
  /** Pushes a sync event: the core's current status with these changes. */
  setSync(patch: Partial<SyncView>): void;
  /** Pushes an event as the transport would deliver it (a burst of them, say). */
  emit(event: AppEvent): void;
  /** How many listeners the renderer has subscribed. */
  listenerCount(): number;
  /** Syncs now: pushes this instance's changes and pulls those of the other devices. */
  pull(): Promise<void>;
  /** Another device of the same user: its own core and database, on the same server. */
  device(options?: { readonly now?: () => number }): Promise<TestDevice>;
  /** A remote of the same user, for a sync client of a test's own. */
  remote(): Remote;
}

const USER = 'alice';
const open: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function openCore(server: InProcessServer, profile: string, options: { autoSync?: boolean; now?: () => number }): Promise<AppCore> {
  const dir = tempDir('fieldsync-renderer-');
  try {
    const core = await createAppCore({
      profileDir: dir.path,
      profile,
      remote: server.remote(USER),
      log: () => {},
      sync: { autoSync: options.autoSync ?? false, intervalMs: 0 },
      ...(options.now ? { now: options.now } : {}),
    });
    open.push(async () => {
      await core.close();
      dir.remove();
    });
    return core;
  } catch (err) {
    dir.remove();
    throw err;
  }
}

function value<T>(envelope: Envelope): T {
  if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

export async function openTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const server = createInProcessServer({ store: createMemoryServerStore({ compaction: options.compaction ?? true }) });
  const core = await openCore(server, options.profile ?? 'alice-1', options);
  const listeners = new Set<(event: AppEvent) => void>();
  const failures = new Map<ApiMethod, AppError>();
  const calls: Array<{ method: ApiMethod; args: readonly unknown[] }> = [];
  let sync = value<SyncView>(await core.dispatch('syncStatus', []));

  const deliver = (event: AppEvent): void => {
    const copy = structuredClone(event);
    setTimeout(() => {
      for (const l of listeners) l(copy);
    }, 0);
  };
  core.onEvent((event) => {
    if (event.type === 'sync') sync = event.sync;
    deliver(event);
  });

  const api = createApiClient({
    async invoke(method, args) {
      calls.push({ method, args: structuredClone([...args]) });
      const failure = failures.get(method);
      if (failure) {
        failures.delete(method);
        return { ok: false, error: { code: failure.code, message: failure.message } };
      }
      return structuredClone(await core.dispatch(method, structuredClone([...args])));
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  });

  return {
    api,
    core,
    server,
    calls,
    failNext: (method, error) => void failures.set(method, error),
    setSync(patch) {
      sync = { ...sync, ...patch };
      deliver({ type: 'sync', sync });
    },
    emit: deliver,
    listenerCount: () => listeners.size,
    pull: async () => void (await core.client.sync()),
    async device(deviceOptions = {}) {
      const other = await openCore(server, `${options.profile ?? 'alice-1'}-other`, { ...(deviceOptions.now ? { now: deviceOptions.now } : {}) });
      const direct = createApiClient({ invoke: (method, args) => other.dispatch(method, args), onEvent: other.onEvent });
      return { api: direct, core: other, sync: async () => void (await other.client.sync()) };
    },
    remote: () => server.remote(USER),
  };
}
