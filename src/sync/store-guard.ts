/**
 * Wraps a store so that a broken or failing store gives clear, typed errors: anything a
 * store throws becomes a `StoreError` (schema errors pass through as they are), and what it
 * returns is checked against the contract before the library relies on it.
 */
import { ClosedError, FieldsyncError, StoreError, errorText } from './errors.ts';
import { HLC_PREFIX, isHlc } from './hlc.ts';
import { newestOf } from './merge.ts';
import { isPromiseLike } from './serial.ts';
import { asClient, messageProblem } from './store-calls.ts';
import { asked, type Cell, type CellValue, type Commit, type MaybePromise, type StoreState, type StoredMessage, type SyncStore } from './store.ts';
import type { StallWatch } from './store-stall.ts';

/** A store's answer (or call of `plan`) that breaks the store contract: `what` names the call. */
const broke = (what: string, problem: string): StoreError => new StoreError(`the store broke its contract in ${what}: ${problem}`);
/**
 * A store that held `clientId` (this client committed it, or read it) and then opened without
 * one: its commit() kept nothing, most likely. Until round 67 the client said another client
 * had taken the store over, sending the store's author after tabs that were never there.
 */
export const lostClientId = (clientId: string): StoreError =>
  broke('open()', `it answered no clientId after the store held ${clientId}: does commit() keep its meta?`);
/**
 * A store that one client has to itself (`alone`) holding fewer messages to push than the
 * client committed and has not pushed: its commit() dropped some of those it was given. Until
 * round 68 their writes were lost without a word: the rows showed them, nothing pushed them,
 * and `status.pending` never went back to 0.
 */
export const droppedMessages = (held: number, counted: number): StoreError =>
  broke('commit()', `it holds ${held} of the ${counted} messages to push it was given: it dropped writes`);
/** What reading a store's answer threw, as a broken answer. */
const unreadable = (what: string, err: unknown): StoreError => broke(what, `reading its answer threw: ${errorText(err)}`);

/**
 * What a store threw, as text: an IndexedDB request's error event (`request.onerror = reject`)
 * by the request's error, an error-like object by its message. Both read "[object Event]" and
 * "[object Object]" until round 60, the cause said only in `cause`.
 */
function thrownText(err: unknown): string {
  try {
    const e = err as { message?: unknown; target?: { error?: unknown } };
    const inner = e.target?.error;
    if (inner instanceof Error) return errorText(inner);
    if (typeof e.message === 'string') return e.message;
  } catch {
    // null, or a getter or Proxy that throws: as errorText reads it.
  }
  return errorText(err);
}

/** What the check of an answer finds: nothing wrong (null), what is, or `{ use }`: the answer as the client is to read it. */
type Verdict<T> = string | null | { readonly use: T };

/** What a store call threw, as the client reports it: typed errors as they are, the rest as a StoreError. */
function failed(what: string, err: unknown): never {
  throw err instanceof FieldsyncError ? err : new StoreError(`the store failed in ${what}: ${thrownText(err)}`, err);
}

/** A store's answer, checked: the answer (or the one `check` gives to use instead), or throws. */
function verified<T>(what: string, check: (value: T) => Verdict<T>, value: T): T {
  let verdict: Verdict<T>;
  try {
    verdict = check(value);
  } catch (err) {
    // The answer's own getter or Proxy threw as it was read: a broken answer, named as one,
    // not the store's raw exception escaping untyped.
    throw unreadable(what, err);
  }
  if (typeof verdict === 'string') throw broke(what, verdict);
  return verdict === null ? value : verdict.use;
}

// failed and verified are functions of their own, not closures made in each call: a
// synchronous store's call (every local write on SQLite) makes none of them.
function guardCall<T>(what: string, call: () => MaybePromise<T>, check: (value: T) => Verdict<T>, stalls?: StallWatch): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    // The client gave up waiting for a stalled call (store-stall.ts): nothing after it reaches the store.
    if (stalls?.shut) throw new ClosedError();
    // As the client's: a library store checks the elements of an app's own calls only (store-calls.ts).
    result = asClient(call);
  } catch (err) {
    return failed(what, err);
  }
  // A thenable that is not a native promise (a query builder's, an old promise library's) may
  // follow only the Promises/A+ part of `then`: its own `then` might return nothing at all.
  // Promise.resolve adopts it as `await` would, and what comes out is a native promise.
  if (!isPromiseLike(result)) return verified(what, check, result);
  const settled = Promise.resolve(result).then((value) => verified(what, check, value), (err: unknown) => failed(what, err));
  // Only an asynchronous call can stall: a synchronous one that hangs holds the whole thread.
  stalls?.watch(what, settled);
  return settled;
}

function stateProblem(state: StoreState): string | null {
  if (typeof state !== 'object' || state === null || typeof state.meta !== 'object' || state.meta === null) {
    return 'open() must return { meta, maxHlc, pendingCount }';
  }
  // A Map has no keys `for...in` sees: read as an empty meta, the client made a new clientId
  // and then stopped as if another client had taken the store over (until round 60).
  if (state.meta instanceof Map) return 'open() returned meta as a Map: it must be an object of strings';
  // Text only: the client reads its identity and counters from these (a number would pass for
  // a clientId's text; an object without a prototype has none, and would throw a TypeError).
  for (const key in state.meta) if (typeof state.meta[key] !== 'string') return `open() returned meta.${key.slice(0, 40)}, which is not a string`;
  if (state.maxHlc !== null && !isHlc(state.maxHlc)) return `open() returned maxHlc ${shown(state.maxHlc)}, which is not an hlc`;
  if (!Number.isSafeInteger(state.pendingCount) || state.pendingCount < 0) return `open() returned pendingCount ${shown(state.pendingCount)}, which is not an integer from 0`;
  return null;
}

/**
 * A value the store gave, in its error, as the other contract errors quote theirs: the store's
 * author sees what came back (a date, `"3"`, a driver's BigInt `3n`), not only that it was
 * wrong. A string is quoted and cut, a primitive is written as it is, anything else by type.
 */
const shown = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v).slice(0, 60)
    : typeof v === 'bigint' ? `${v}n`
      : v === null || (typeof v !== 'object' && typeof v !== 'function') ? String(v) : typeof v;

/**
 * A map answer (`what`: winners(), values()): a Map, or a map-like of the store's own (the
 * SQLite store's is lazy) with the `get` and `values` the client reads, and nothing else of
 * it; each entry checked (`entryProblem`). A map-like's `get` is guarded as the client calls
 * it, deep in a pull: what it throws is the store's broken answer, not a raw exception (round
 * 55; a native Map's cannot throw).
 */
function mapVerdict<V>(what: string, answer: ReadonlyMap<string, V>, entryProblem: (v: V) => string | null): Verdict<ReadonlyMap<string, V>> {
  if (!answer || typeof (answer as Map<string, V>).get !== 'function' || typeof (answer as Map<string, V>).values !== 'function') return `${what} must return a Map`;
  for (const v of answer.values()) {
    const problem = entryProblem(v);
    if (problem) return problem;
  }
  if (answer instanceof Map) return null;
  const get = (key: string): V | undefined => {
    try {
      return answer.get(key);
    } catch (err) {
      throw unreadable(what, err);
    }
  };
  return { use: { get, values: () => answer.values() } as Pick<ReadonlyMap<string, V>, 'get' | 'values'> as ReadonlyMap<string, V> };
}

/**
 * A Map's keys must be `cellKey`s: keyed otherwise (`todos.t1.title`), the client found no
 * winner, and an older pulled write replaced a newer one here (until round 56). One key per
 * answer, not one per cell: a store keys all its cells one way. A map of the store's own is
 * read through `get` and `values` only (listing its keys may build them), so not checked.
 */
function keyProblem(w: ReadonlyMap<string, string>): string | null {
  const key: unknown = w instanceof Map && w.size > 0 ? w.keys().next().value : '\0\0';
  return typeof key === 'string' && key.split('\0').length === 3 ? null : `winners() answered the key ${errorText(JSON.stringify(key)).slice(0, 60)}, which is no cellKey(table, row, column)`;
}

/**
 * `known`: for a store the client has to itself, the greatest hlc the client knows (the
 * clock's `known`), whose time and counter no winner's may pass: the store holds only what it
 * was given. An invented one (a join's wrong column, year 2099) moved the clock there at the
 * next local write, which was stamped 2099 (the server refused it, one repair more), and every
 * pulled write of that cell lost to it, on this device only (until round 68). Compared by time
 * and counter: a store's own messages get a new clientId when it gets one (client-state.ts).
 */
const winnersVerdict = (w: ReadonlyMap<string, string>, known: string | null): Verdict<ReadonlyMap<string, string>> =>
  keyProblem(w) ?? mapVerdict('winners()', w, (hlc) => (!isHlc(hlc) ? `winners() returned ${typeof hlc === 'string' ? JSON.stringify(hlc).slice(0, 60) : typeof hlc}, which is not an hlc`
    : known !== null && hlc.slice(0, HLC_PREFIX) > known ? `winners() returned ${hlc}, which is later than every hlc it was given` : null));

// Each entry is what the library reports: a replaced cell's `previous`, a device's name.
const valuesVerdict = (v: ReadonlyMap<string, CellValue>): Verdict<ReadonlyMap<string, CellValue>> =>
  mapVerdict('values()', v, (e) => (typeof e === 'object' && e !== null && isHlc(e.hlc) && e.value !== undefined ? null : 'values() returned an entry that is not { value, hlc }'));

/**
 * The library's own memory stores (`createMemoryStore()`, that very object): the hlcs their
 * `winners()` answers with are ones the client committed, having made or checked each, and
 * nothing outside the process can change them, so checking each again (a tenth of a memory
 * store's pull) buys nothing. Every other store is checked: a custom one may have a bug, and
 * one on a file (SQLite, IndexedDB) reads back what may have been changed under it.
 */
const ownWinners = new WeakMap<object, unknown>();
export const ownMemoryStore = <S extends SyncStore>(store: S): S => (ownWinners.set(store, store.winners), store);
/** True for a memory store of this library's (createMemoryStore), as made. */
export const isOwnMemoryStore = (store: SyncStore): boolean => ownWinners.has(store);

/**
 * `c` as the store is given it: always these five parts, in this order, a part `c` does not
 * have as undefined. Why: the client makes its commits in several places (a pull's page, a
 * local write, the opening one, repairs), each with the parts it needs, and an object's
 * parts make its shape in V8. A store's `commit` optimized for a page's shape threw its code
 * away at the next client's opening commit and compiled it again for both: in the `peers`
 * bench, a memory store pulled about a tenth faster with every commit of one shape.
 */
const shapedCommit = (c: Commit): Commit => ({ insert: c.insert, update: c.update, remove: c.remove, writes: c.writes, meta: c.meta });

/** A guarded store always has `transact`: the store's own, or `winners()` then `commit()`. */
export interface GuardedStore extends SyncStore {
  transact(cells: readonly Cell[], plan: (newest: string | null) => Commit): MaybePromise<void>;
  /**
   * The store has no `transact` of its own, so one client at a time has it (docs/api.md): what
   * it holds to push is what that client counts. One with `transact` may be shared (another
   * connection pushes this one's messages, or adds its own), so its count is no check.
   */
  readonly alone: boolean;
  /** The client's clock, once it has one: a store `alone` is checked by its `known` (winnersVerdict). */
  clock?: { readonly known: string };
}

/** `stalls`: told of every asynchronous call, to report one that does not settle, and to refuse calls once shut (store-stall.ts). */
export function guardStore(store: SyncStore, stalls?: StallWatch): GuardedStore {
  const guard = <T>(what: string, call: () => MaybePromise<T>, check: (value: T) => Verdict<T>): MaybePromise<T> => guardCall(what, call, check, stalls);
  // (A memory store whose winners() was replaced afterwards is a custom store.)
  // Not before the client knows an hlc (`''`: a new store): there is nothing to compare with.
  const checkWinners = ownWinners.get(store) === store.winners ? () => null
    : (w: ReadonlyMap<string, string>) => winnersVerdict(w, (!own && guarded.clock?.known.slice(0, HLC_PREFIX)) || null);
  const winners = (cells: readonly Cell[]): MaybePromise<ReadonlyMap<string, string>> => guard('winners()', () => store.winners(cells), checkWinners);
  const commit = (c: Commit): MaybePromise<void> => guard('commit()', () => store.commit(shapedCommit(c)), () => null);
  const own = typeof store.transact === 'function' ? store.transact.bind(store) : null;
  const guarded: GuardedStore = {
    alone: !own,
    open: (schema) => guard('open()', () => store.open(schema), stateProblem),
    winners,
    transact(cells, plan) {
      if (!own) {
        const w = winners(cells);
        return isPromiseLike(w) ? w.then((found) => commit(plan(newestOf(found)))) : commit(plan(newestOf(w)));
      }
      let planned = false;
      const checked = (newest: string | null): Commit => {
        if (planned) throw broke('transact()', 'it called plan twice');
        planned = true;
        if (newest !== null && !isHlc(newest)) {
          throw broke('transact()', `it gave plan ${JSON.stringify(newest)?.slice(0, 60)}, which is not an hlc`);
        }
        return shapedCommit(plan(newest));
      };
      return guard('transact()', () => own(cells, checked), () => (planned ? null : 'it never called plan'));
    },
    ...(typeof store.values === 'function'
      ? {
          values: (cells: Parameters<NonNullable<SyncStore['values']>>[0]) => guard('values()', () => (store.values as NonNullable<SyncStore['values']>)(cells), valuesVerdict),
        }
      : {}),
    messages: (query) => guard(`messages(${query.kind})`, () => store.messages(query), (list) => {
      if (!Array.isArray(list)) return 'messages() must return an array';
      if ('limit' in query && list.length > query.limit) return `it returned ${list.length} messages for a limit of ${query.limit}`;
      // A message twice (a join's or a UNION ALL's doing) would be pushed twice in one request,
      // which the server refuses as the message's fault: the client would set the write aside.
      const seen = new Set<string>();
      for (const m of list) {
        const problem = messageProblem(m);
        if (problem) return problem;
        if (seen.has((m as StoredMessage).hlc)) return `it returned message ${(m as StoredMessage).hlc} twice`;
        seen.add((m as StoredMessage).hlc);
      }
      // Each well formed: then each one the query asks for.
      const unasked = (list as readonly StoredMessage[]).find((m) => !asked(m, query));
      return unasked ? `it returned message ${unasked.hlc}, which the query does not ask for` : null;
    }),
    commit,
  };
  return guarded;
}
