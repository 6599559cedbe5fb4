/**
 * One client at a time per clientId, where the runtime has Web Locks (browsers, Deno, Node 24; not Node 22),
 * for a store without `transact`, which cannot be shared. Two clients on one such store (two
 * tabs of a web app on one IndexedDB or localStorage store, or a client opened again before the
 * first was closed) read the same clientId, each with a clock of its own: two writes in the
 * same millisecond got the same hlc, and the server, which keeps one message per hlc, dropped
 * one of them, with nothing pending and no error anywhere.
 *
 * The newest client takes the lock over (the tab the user just opened or reloaded works), and
 * the one that held it stops: its calls fail with a StoreError that says why. A client that
 * was never closed (a tab that crashed, a page reloaded) holds nothing: the runtime let go.
 *
 * What the old client committed before the takeover, the new one's clock moves past
 * (sync-client.ts). What it still has under way (a commit of an asynchronous store, a write
 * queued behind it, a sync's page) it finishes first: each client also holds a second lock,
 * `...:calls`, which it lets go only once its store calls have all settled, and a client that
 * takes the store over waits for it before it opens the store again. Without that wait, a
 * commit that landed just after the read could carry the hlc the new client stamps next.
 * The wait is bounded like any store call (store-stall.ts): a client before it whose call
 * never settles makes createSyncClient reject with a StoreStalledError. Then the new client
 * opens the store again (sync-client.ts): a store that keeps its data in memory and saves it
 * whole (the README's document store) read its copy before that commit, and its next save
 * would have written over it. A client whose open or close
 * gave up on a stalled call holds the locks until that call settles, and a new client on the
 * same store object waits for it (store-stall.ts).
 *
 * Nothing is committed before the lock is held: a client first reads only the store's clientId
 * (which names the lock), and a store no client has opened yet gets its clientId under one lock
 * of the origin's (`claimNewStore`), so that two clients opening it at once agree on one, and
 * the second takes the first over as on any store.
 *
 * A store with `transact` stamps each write after what other connections committed (its
 * max-hlc rule) and keeps the clientId that the first of them committed (client-state.ts), so
 * several clients may share it (the SQLite store across processes): none takes a lock; the
 * memory store lives in one page's memory and never leaves it. But not one store object: two
 * clients on it (a hot reload that opened it again without close()) read one clientId, and
 * nothing told either of the other's writes, so half of their writes took hlcs of the other's,
 * and the server kept one of each pair. So in every runtime, Web Locks or not, a client opened
 * on a store object that another client of this realm holds takes it over (`holdStoreObject`).
 */
import { StoreError } from './errors.ts';
import { clientIdCommit, newClientId, storedClientId } from './client-state.ts';
import type { SyncStore } from './store.ts';
import type { Schema } from './schema.ts';

interface LockManagerLike {
  request(name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/** The runtime's Web Locks, if it has them. */
function locks(): LockManagerLike | undefined {
  const runtime = globalThis as { navigator?: { locks?: Partial<LockManagerLike> } };
  const manager = runtime.navigator?.locks;
  return typeof manager?.request === 'function' ? (manager as LockManagerLike) : undefined;
}

/** Whether the runtime has Web Locks: without them there is no client before to wait for, nor to read after. */
export const hasWebLocks = (): boolean => locks() !== undefined;

/** Why a client stopped when a newer one took its store over. */
export const takenOverError = (clientId: string | undefined): StoreError => new StoreError(
  `another client opened this store${clientId === undefined ? '' : ` (clientId ${clientId})`}: another tab of this app, or a client opened again without ` +
    'closing this one. This one stopped: two clients on one store would stamp different writes with the same hlc, and lose one',
);

/** The call a client that took a store over waits for, in its StoreStalledError when it never settles. */
export const CALLS_BEFORE = 'call under way in the client this one took over';
/** What a client opening a new store waits for, in its StoreStalledError when it never ends ("the store's wait for ... has not settled"). */
export const NEW_STORE_BEFORE = 'wait for the lock for new stores (another client of this app holds it)';

/** By store object, how to stop the client of this realm that holds it: resolves once its store calls have settled. */
const heldObjects = new WeakMap<object, () => Promise<unknown>>();

/**
 * Makes `stop` the holder of `store` (the object the app passed) and stops the client that
 * held it: `before` resolves once that one's store calls have settled (at once if none held
 * it). `release` lets go, unless a newer client holds it already.
 */
export function holdStoreObject(store: object, stop: () => Promise<unknown>): { before: Promise<unknown> | null; release(): void } {
  const before = heldObjects.get(store);
  heldObjects.set(store, stop);
  return {
    // However that one ended (a close() that gave up on a stalled call: store-stall.ts's leftOver waits for it).
    before: before ? before().then(() => {}, () => {}) : null,
    release: () => void (heldObjects.get(store) === stop && heldObjects.delete(store)),
  };
}

export interface ClientLock {
  /** Resolves once the client before (if any) has let go of its calls' lock; at once without Web Locks. */
  readonly ready: Promise<void>;
  /** Lets go of both locks (the calls' lock only once granted). */
  release(): void;
}

/**
 * Requests `name` and holds it until `held` resolves. Resolves once it is granted, or once it
 * will not be: a request the runtime refuses (a sandboxed iframe: SecurityError) or that
 * `options.signal` aborts. Never rejects. `lost` is called when another request steals it.
 */
function hold(manager: LockManagerLike, name: string, options: { steal?: boolean; signal?: AbortSignal }, held: Promise<void>, lost: () => void): Promise<void> {
  return new Promise<void>((settled) => {
    let got = false;
    manager.request(name, options, async () => {
      got = true;
      settled();
      await held;
    }).catch(() => {
      if (got) lost();
      else settled();
    });
  });
}

/**
 * Takes this clientId's lock, from another client if one holds it (that one's `onTakenOver` is
 * called), and holds it until `release` is called; then waits (`ready`) for the calls' lock,
 * which the client before holds until its store calls have settled. Without Web Locks, nothing.
 */
export async function holdClientLock(clientId: string, onTakenOver: () => void): Promise<ClientLock> {
  const manager = locks();
  if (!manager) return { ready: Promise.resolve(), release: () => {} };
  let released = false;
  let release = (): void => {};
  const held = new Promise<void>((resolve) => {
    release = () => {
      released = true;
      resolve();
    };
  });
  const name = `fieldsync:client:${clientId}`;
  // Taken over while it waits for the calls' lock, it wants it no more: the next client may have it.
  const waiting = new AbortController();
  await hold(manager, name, { steal: true }, held, () => {
    // Stolen between release() and the runtime letting go (a client opened as this one closed): let go, not taken over.
    if (released) return;
    waiting.abort();
    onTakenOver();
  });
  const ready = hold(manager, `${name}:calls`, { signal: waiting.signal }, held, () => {});
  return { ready, release: () => release() };
}

/**
 * The clientId of a store no client had opened: under the origin's lock for new stores, the
 * store is opened again, and the clientId another client made meanwhile is this one's too; or
 * else this one makes it and commits it, alone. `started` resolves once the lock is held (or
 * will not be: the runtime refused it, or has no Web Locks), and `clientId` once the id is in the store.
 */
export function claimNewStore(store: SyncStore, schema: Schema, random: () => number): { started: Promise<void>; clientId: Promise<string> } {
  let start = (): void => {};
  const started = new Promise<void>((resolve) => (start = resolve));
  const claim = async (): Promise<string> => {
    start();
    const state = await store.open(schema);
    const made = storedClientId(state);
    if (made !== undefined) return made;
    const clientId = newClientId(random);
    await store.commit(await clientIdCommit(schema, store, state, clientId));
    return clientId;
  };
  const clientId = new Promise<string>((resolve, reject) => {
    let ran = false;
    const run = (): Promise<void> => {
      ran = true;
      const claimed = claim();
      claimed.then(resolve, reject);
      // Held until the claim settles, a stalled one too: its commit may still land.
      return claimed.then(() => {}, () => {});
    };
    // Refused (a sandboxed iframe: SecurityError): claimed without the lock, as without Web Locks.
    const alone = (): unknown => ran || run();
    Promise.resolve(locks()?.request('fieldsync:new-store', {}, run)).then(alone, alone);
  });
  return { started, clientId };
}
