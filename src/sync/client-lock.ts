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
 * (sync-client.ts). Not covered: a write of the old client whose commit is still under way when
 * the new one takes over, in a store whose commit is asynchronous, or a store that keeps its
 * data in memory and saves it whole (the README's document store: the new client's copy was
 * read before that write). The old client learns of the takeover at once, so that window is
 * the length of one commit, where two clients on one store used to lose writes for as long as
 * both were open. A client whose open or close gave up on a stalled call holds the lock until
 * that call settles, and a new client on the same store object waits for it (store-stall.ts).
 *
 * A store with `transact` stamps each write after what other connections committed (its
 * max-hlc rule), so several clients may share it (the SQLite store across processes); the
 * memory store lives in one page's memory and never leaves it.
 */
import { StoreError } from './errors.ts';

interface LockManagerLike {
  request(name: string, options: { steal: boolean }, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/** The runtime's Web Locks, if it has them. */
function locks(): LockManagerLike | undefined {
  const runtime = globalThis as { navigator?: { locks?: Partial<LockManagerLike> } };
  const manager = runtime.navigator?.locks;
  return typeof manager?.request === 'function' ? (manager as LockManagerLike) : undefined;
}

/** Why a client stopped when a newer one took its store over. */
export const takenOverError = (clientId: string): StoreError => new StoreError(
  `another client opened this store (clientId ${clientId}): another tab of this app, or a client opened again without ` +
    'closing this one. This one stopped: two clients on a store without transact() would stamp different writes with the same hlc, and lose one',
);

/**
 * Takes this clientId's lock, from another client if one holds it (that one's `onTakenOver` is
 * called), and holds it until the returned function is called. Without Web Locks, nothing.
 */
export async function holdClientLock(clientId: string, onTakenOver: () => void): Promise<() => void> {
  const manager = locks();
  if (!manager) return () => {};
  let released = false;
  let release = (): void => {};
  const held = new Promise<void>((resolve) => {
    release = () => {
      released = true;
      resolve();
    };
  });
  await new Promise<void>((granted) => {
    let got = false;
    manager.request(`fieldsync:client:${clientId}`, { steal: true }, async () => {
      got = true;
      granted();
      await held;
    }).catch(() => {
      // Stolen by a newer client (an AbortError); or never granted: a context where Web Locks
      // are denied (a sandboxed iframe: SecurityError) goes on without, as a runtime without them.
      if (!got) granted();
      else if (!released) onTakenOver();
    });
  });
  return release;
}
