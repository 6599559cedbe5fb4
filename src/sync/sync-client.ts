/**
 * The sync client: local writes that never wait for the network, and a background sync
 * that pushes them and pulls everyone else's.
 *
 * ```ts
 * const client = await createSyncClient({ schema, store, remote });
 * await client.update('todos', 't1', { title: 'Buy milk', done: false });
 * client.on('change', (e) => rerender(e.changes));
 * ```
 */
// The value imports' order is their modules' order in an app's bundle: this one gzips smallest of those measured (docs/benchmarks.md).
import { ClosedError, ValidationError, errorText, invalidArgument, reading, type FieldsyncError } from './errors.ts';
import { guardStore, isOwnMemoryStore, lostClientId } from './store-guard.ts';
import { DELETED_COLUMN, type Message } from './message.ts';
import { checkLocalField, checkLocalWrite } from './local-write.ts';
import { byHlc, cellKey, rowError } from './message.ts';
import { emit, type Listener } from './listeners.ts';
import { FROM_DEVICE_NAMES, MAX_DATE_MS, checkOptions, clamp } from './client-options.ts';
import { checked } from './backoff.ts';
import { createSerial } from './serial.ts';
import { createScheduler } from './sync-scheduler.ts';
import { createStallWatch } from './store-stall.ts';
import { openClientState, storedClientId } from './client-state.ts';
import { hostMonotonic } from './hybrid-clock.ts';
import { CALLS_BEFORE, NEW_STORE_BEFORE, claimNewStore, hasWebLocks, holdClientLock, holdStoreObject, takenOverError } from './client-lock.ts';
import { createLocalWrite } from './local-commit.ts';
import type { MessageQuery, StoredMessage } from './store.ts';
import type { SyncRunContext } from './sync-run.ts';

import type { ChangeEvent, InspectedMessage, ReplacedEvent, SyncClient, SyncClientOptions, SyncStatus } from './sync-client-types.ts';
import type { SchemaInput } from './schema.ts';

export async function createSyncClient<const I extends SchemaInput = SchemaInput>(options: SyncClientOptions<I>): Promise<SyncClient<I>> {
  reading('createSyncClient: reading the options', () => checkOptions(options));
  // Settled once this call is: a client that takes the store object over while this one still
  // opens waits for that, so that this one's opening commits land before it reads the store.
  let settle = (): void => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  try {
    // The declaration's types are the compiler's only: the client checks every name and value.
    return (await openClient(options, settled)) as SyncClient as SyncClient<I>;
  } finally {
    settle();
  }
}

async function openClient(options: SyncClientOptions, openingSettled: Promise<void>): Promise<SyncClient> {
  const { schema, remote } = options;
  const now = options.now ? checked('createSyncClient: now', options.now, MAX_DATE_MS) : Date.now;
  const random = options.random ? checked('createSyncClient: random', options.random, 1) : Math.random;
  const lock = createSerial();
  const changeListeners = new Set<Listener<ChangeEvent>>();
  const statusListeners = new Set<Listener<SyncStatus>>();
  const replacedListeners = new Set<Listener<ReplacedEvent>>();
  // Before the store: a call may stall while the client opens, when no one listens yet (and
  // the scheduler, which the status comes from, does not exist).
  const emitStatus = (): void => {
    if (statusListeners.size > 0) emit(statusListeners, scheduler.status()); // a local write's common case: nobody listens
  };
  /** Why this client stopped, when not by close(): another client took its store over. */
  let stoppedBy: FieldsyncError | null = null;
  // Stopped so, the client is closed (its close() returns at once): the status keeps saying
  // why, and a late stall of its own calls is no news to anyone.
  const stalls = createStallWatch(options.storeStallMs ?? 10_000, () => {
    if (stoppedBy === null) emitStatus();
  }, options.store);
  const store = guardStore(options.store, stalls);
  const startNames = options.device?.(schema);
  // A function, but not deviceNames' (client-options.ts checks only that it is one).
  if (startNames !== undefined && typeof startNames !== 'function') throw invalidArgument(`createSyncClient: ${FROM_DEVICE_NAMES}`);
  let closed = false;
  let releaseStore = (): void => {};
  let clientId: string | undefined;
  // How this client ended (close() or a takeover), once it has: what a client taking it over waits for.
  let ending: Promise<unknown> | null = null;
  // What close() answers, every time it is called.
  let closing: Promise<void> | undefined;
  // One client per store object (client-lock.ts): the one that held it stops, and its store
  // calls settle, before this one reads the store.
  const object = holdStoreObject(options.store, () => takenOver(takenOverError(clientId)));
  // The client lock, once nothing of this client's can land any more: at once, or when a call
  // given up on (store-stall.ts) settles; until then a commit of it may land under this clientId.
  const letGo = (): void => {
    object.release();
    void stalls.idle().then(releaseStore);
  };
  /** Stops this client, whose store another client took over: resolves once its store calls have settled. */
  const takenOver = (why: FieldsyncError): Promise<unknown> => {
    if (!closed) {
      stoppedBy = why;
      closed = true;
      // Still opening, it stops once the opening is over (which then rejects with why).
      ending = openingSettled.then(() => stop(why)).then(lock.drain).catch(() => {}).then(() => (letGo(), stalls.idle()));
    }
    return ending ?? openingSettled;
  };
  // Each step of opening that calls the store: a stalled call (no status shows it yet) makes
  // createSyncClient reject with its StoreStalledError, and nothing after it starts.
  const opening = <T>(step: T | Promise<T>): Promise<T> => stalls.bound(step).catch((err: unknown) => {
    closed = true;
    letGo();
    throw err;
  });

  if (object.before) stalls.watch(CALLS_BEFORE, object.before);
  // First, what a client before this one on this store gave up waiting for (its late commit).
  let state = await opening(Promise.resolve(object.before).then(stalls.leftOver).then(() => store.open(schema)));
  const closedError = (): FieldsyncError => stoppedBy ?? new ClosedError();
  // A store without transact() takes one client at a time: two tabs on it lost writes (client-lock.ts).
  const shareable = typeof options.store.transact === 'function' || isOwnMemoryStore(options.store);
  // Taken over before the scheduler exists (while this one still opens), there is none to stop:
  // createSyncClient rejects with why instead (below).
  let stop = (_why: FieldsyncError): unknown => 0;
  // Without Web Locks (Node 22, React Native) there is no client before to wait for, nor to read after.
  if (!shareable && hasWebLocks()) {
    // Nothing is committed before the lock is held: the store's clientId names the lock, and a
    // new store's is made under the origin's lock for new stores, which one client holds at a time.
    let storedId = storedClientId(state);
    if (storedId === undefined) {
      const claim = claimNewStore(store, schema, random);
      stalls.watch(NEW_STORE_BEFORE, claim.started);
      storedId = await opening(claim.clientId);
    }
    const lockedId = (clientId = storedId);
    // The locks go once its last store call has settled: the client that took over waits for that.
    const held = await holdClientLock(lockedId, () => void takenOver(takenOverError(lockedId)));
    releaseStore = held.release;
    // The client this one took over may have committed since this one read the store, and may
    // still have calls under way: once they have settled (a wait bounded as a store call's), the
    // store is opened again. So the clock starts after their newest message, and no write of
    // this one gets an hlc of theirs; and a store that keeps its data in memory and saves it
    // whole (the README's document store), whose copy was read before their last commits, does
    // not write over them at its next save.
    stalls.watch(CALLS_BEFORE, held.ready);
    await opening(held.ready);
    state = await opening((async () => {
      const again = await store.open(schema);
      // Another id now (the store was cleared and made again meanwhile): this lock is not the store's.
      const held = storedClientId(again);
      if (held !== lockedId) throw held === undefined ? lostClientId(lockedId) : takenOverError(lockedId);
      return again;
    })());
  }
  // The host's clocks, unless the app gives its own `now` (tests): the monotonic one keeps the
  // clock's learnt correction true when the local clock is set back while the app runs (hlc.ts).
  const opened = await opening(openClientState(schema, store, state, random, now, options.now ? undefined : hostMonotonic()));
  const { clock, counters } = opened;
  store.clock = clock;
  clientId = opened.clientId;
  // Listeners are the app's code, each called on its own (listeners.ts): one that throws
  // changes nothing for the write, the pulled page or the sync that emitted the event.
  const emitChange = (source: 'local' | 'remote', changes: Readonly<Record<string, readonly string[]>>): void => {
    emit(changeListeners, { source, changes });
  };

  let learntLimit: SyncRunContext['learntLimit'] = null;
  const scheduler = createScheduler({
    schema, store, remote, clock, lock, counters, now, random,
    clientId: opened.clientId,
    debounceMs: options.debounceMs ?? 5,
    intervalMs: options.intervalMs ?? 30_000,
    // A copy of what checkOptions checked: the scheduler's backoff does not check it again (backoff.ts).
    retry: { ...options.retry },
    pushBatchSize: clamp(options.pushBatchSize ?? 1000, 1, 5000),
    pullLimit: clamp(options.pullLimit ?? 1000, 1, 5000),
    maxRequestBytes: Math.max(1024, options.maxRequestBytes ?? 1024 * 1024),
    get learntLimit() {
      return learntLimit;
    },
    learnLimit: (limit) => {
      learntLimit = limit;
    },
    onChange: emitChange,
    onStatus: emitStatus,
    stalled: () => (stoppedBy === null ? stalls.stalled() : null),
    wantsReplaced: () => replacedListeners.size > 0,
    onReplaced: (cells) => emit(replacedListeners, { cells }),
  });
  stop = scheduler.close;

  // A local write of one row (local-commit.ts); once committed, the app and the scheduler are told.
  const write = createLocalWrite(store, lock, clock, (table, row, messages) => {
    counters.wrote(messages);
    if (changeListeners.size > 0) emitChange('local', { [table]: [row] });
    emitStatus();
    scheduler.request('write');
  }, () => (closed ? closedError() : null));

  const update = (table: string, row: string, fields: unknown): Promise<Message[]> =>
    write(() => checkLocalWrite(schema, table, row, fields), false) as Promise<Message[]>;
  // One field (set, delete): checked without an object of fields to walk.
  const setOne = (table: string, row: string, column: string, value: unknown): Promise<Message> =>
    write(() => [checkLocalField(schema, table, row, column, value)], true) as Promise<Message>;

  /** Each message marked with whether it wins its cell (only an applied message can). */
  const inspect = async (list: readonly StoredMessage[]): Promise<InspectedMessage[]> => {
    const winners = await store.winners(list.filter((m) => m.applied));
    return list.map((m) => ({ ...m, won: m.applied && winners.get(cellKey(m.table, m.row, m.column)) === m.hlc }));
  };

  const names = startNames ? await opening(startNames({ store, lock, clientId: opened.clientId, write: update })) : null;
  // Another client opened the store while this one did: there is no client to give.
  if (stoppedBy) throw stoppedBy;

  if (options.autoSync !== false) {
    try {
      scheduler.start();
    } catch (err) {
      // A remote whose subscribe() throws: the caller gets no client to close, so nothing
      // started may outlive this call (the interval synced, and failed, every 30 s for ever).
      closed = true;
      await scheduler.close();
      releaseStore();
      throw err;
    }
  }

  /**
   * A closed client does nothing but answer `status`: every call fails with ClosedError, reads
   * too (the store stays open, but it is the app's now), so that a call after `close()` that
   * was a mistake (a forgotten subscription, a handler that outlived its client) says so.
   */
  const ifOpen = <T>(task: () => Promise<T>): Promise<T> => (closed ? Promise.reject(closedError()) : task());
  const throwIfClosed = (): void => {
    if (closed) throw closedError();
  };

  return {
    clientId: opened.clientId,
    schema,
    set: (table, row, column, value) => (typeof column !== 'string' ? Promise.reject(invalidArgument('column must be a string'))
      : setOne(table, row, column, value)),
    update,
    delete: (table, row) => setOne(table, row, DELETED_COLUMN, true),
    sync: () => ifOpen(scheduler.syncNow),
    setOnline: (online) => {
      if (typeof online !== 'boolean') throw invalidArgument('online must be a boolean');
      throwIfClosed();
      scheduler.setOnline(online);
    },
    get status() {
      return scheduler.status();
    },
    on(event: 'change' | 'status' | 'replaced', listener: Listener<never>) {
      if (typeof listener !== 'function') throw invalidArgument('listener must be a function');
      throwIfClosed();
      const sets = { change: changeListeners, status: statusListeners, replaced: replacedListeners } as Record<string, Set<Listener<never>>>;
      // Only a string is looked up: hasOwn would make any other key a string first, which
      // throws a TypeError for an object without a prototype.
      const set = typeof event === 'string' && Object.hasOwn(sets, event) ? (sets[event] as Set<Listener<never>>) : null;
      if (!set) throw invalidArgument(`unknown event: ${errorText(event)}`);
      set.add(listener);
      return () => void set.delete(listener);
    },
    recent: (limit = 50) => ifOpen(() => lock.run(async () => inspect(await store.messages({ kind: 'recent', limit: clamp(limit, 1, 10_000) } as MessageQuery)))),
    history: (table, row, column) => ifOpen(() => lock.run(async () => {
      if (typeof table !== 'string' || typeof row !== 'string' || typeof column !== 'string') {
        throw invalidArgument('history(table, row, column) takes three strings');
      }
      return inspect([...(await store.messages({ kind: 'cell', table, row, column }))].sort(byHlc).reverse());
    })),
    setDeviceName: (name) => ifOpen(async () => {
      if (!names) throw invalidArgument('setDeviceName needs the device option of createSyncClient');
      await names.publish(name);
    }),
    deviceNames: (clientIds) => ifOpen(async () => {
      if (!Array.isArray(clientIds)) throw invalidArgument('deviceNames takes an array of clientIds');
      // An id that cannot be a row (5, ''), with the device option or without, is the app's
      // mistake (it was left out, unseen); one that is a row id but no clientId has no name.
      for (let i = 0; i < clientIds.length; i++) {
        const why = rowError(clientIds[i]);
        if (why !== null) throw new ValidationError('invalid_argument', `deviceNames: ${why.replace('row', `clientIds[${i}]`)}`, i);
      }
      return names ? names.of(clientIds) : new Map<string, string>();
    }),
    rejected: () => ifOpen(() => lock.run(async () => [...(await store.messages({ kind: 'rejected' }))])),
    // Called again (an unmount handler, then a quit handler), it is the same wait, with the
    // same outcome: an app that closes its database after it must not run under a late commit.
    close: () => (closing ??= closeOnce()),
  };

  async function closeOnce(): Promise<void> {
    // Taken over by another client, it stopped already: the client that took over waits for
    // what may still land of it (client-lock.ts).
    if (closed) return;
    closed = true;
    // A store call that stalls (or has) ends the wait: a StoreStalledError (store-stall.ts).
    await (ending = stalls.bound(scheduler.close().then(lock.drain))).finally(() => {
      letGo();
      changeListeners.clear();
      statusListeners.clear();
      replacedListeners.clear();
    });
  }
}
