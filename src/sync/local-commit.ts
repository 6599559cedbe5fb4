/**
 * The client's local writes (sync-client.ts): each checked, then committed with the clock
 * past its cells' winners, and the app and the scheduler told. Made once per client: a write
 * makes no more closures or objects than when this lived in the client's own closure.
 */
import { FieldsyncError, threw } from './errors.ts';
import { hlcMillis } from './hlc.ts';
import type { HybridClock } from './hybrid-clock.ts';
import type { FieldChange } from './local-write.ts';
import { messageOf, type Message } from './message.ts';
import { isPromiseLike, type Serial } from './serial.ts';
import type { GuardedStore } from './store-guard.ts';
import { META, type Commit, type StoredMessage } from './store.ts';

/** The client's write: `check` gives the row's checked fields (or throws); with `first`, it resolves with the first message alone. */
export type LocalWrite = (check: () => FieldChange[], first: boolean) => Promise<Message[] | Message>;

/**
 * Positional parameters, not an object of them: the names of an object's properties stay in
 * the minified bundle, which every app ships. `wrote`: told of each committed write (the
 * counters, the listeners, the scheduler); `closedError`: the client's error once it is
 * closed, else null, asked before each write.
 */
export function createLocalWrite(
  store: GuardedStore,
  lock: Serial,
  clock: HybridClock,
  wrote: (table: string, row: string, messages: number) => void,
  closedError: () => FieldsyncError | null,
): LocalWrite {
  // The clock's correction as of its last save by a local write (sync-run.ts saves those it
  // learns; a write after one then saves it again, once).
  let offsetSavedAt = clock.offsetChanges;
  let offsetSavingAt = offsetSavedAt;

  /**
   * A local write of one row: `check` gives its checked fields (or throws). With `first`, it
   * resolves with its first message alone (set, delete): one promise less.
   */
  function write(check: () => FieldChange[], first: boolean): Promise<Message[] | Message> {
    const why = closedError();
    if (why) return Promise.reject(why);
    // Not an async function: with a synchronous store the whole write runs at once.
    return lock.run(() => {
      let changes: FieldChange[];
      try {
        changes = check();
      } catch (err) {
        // What is not ours came from reading the app's value or fields (a getter, a Proxy).
        throw err instanceof FieldsyncError ? err : threw('reading the written value', err);
      }
      const { table, row } = changes[0] as FieldChange;
      let messages: StoredMessage[] = [];
      // Called by the store with the greatest of the cells' winners, in the transaction that commits it.
      const plan = (newest: string | null): Commit => {
        // A local write wins its cells by construction: the clock first moves past their
        // current winners, whatever it has (or has not) received before. A winner the clock
        // has passed (most often its own last write of the cell), or from an earlier
        // millisecond than the clock's, is behind it already: no parse.
        if (newest !== null && !clock.passed(newest) && !(hlcMillis(newest) < clock.state.millis)) clock.receive(newest);
        messages = changes.map((c) => ({
          hlc: clock.tick(), table, row, column: c.column, value: c.value,
          local: true, synced: false, applied: true, error: null,
        }));
        // Each message is also its cell's write: it has the write's fields, and winning is why it is written.
        // The clock's correction, when it changed since it was saved (a clock set back: hlc.ts), goes with it.
        offsetSavingAt = clock.offsetChanges;
        return offsetSavingAt === offsetSavedAt ? { insert: messages, writes: messages } : { insert: messages, writes: messages, meta: { [META.clockOffset]: String(clock.offsetMs) } };
      };
      const done = (): Message[] | Message => {
        offsetSavedAt = offsetSavingAt;
        wrote(table, row, messages.length);
        return first ? messageOf(messages[0] as StoredMessage) : messages.map(messageOf);
      };
      // The checked fields are the cells asked for: each has its table, row and column.
      const committed = store.transact(changes, plan);
      return isPromiseLike(committed) ? committed.then(done) : done();
    });
  }

  return write;
}
