/**
 * The arguments of the store contract's calls, as the client makes them (store.ts): checked
 * by the library's own stores, which an app may also call itself (a test, a migration, an
 * inspector of its own). Without the check, `store.open(5)` kept 5 as the schema and every
 * later call failed with a TypeError; `commit(null)` and `winners(null)` were TypeErrors from
 * inside; `messages({ kind: 'newest' })` answered undefined. Each element of an app's own call
 * is checked too (a `commit({ insert: [null] })` was a TypeError, and a message whose `hlc`
 * was 5 was stored, and broke every later read of the clock): the types of its fields, and a
 * value as the client checks one it writes or pulls (JSON, within the protocol's limits). Kept small, as it
 * ships with the memory store in every app that uses it: one sentence per method says what
 * the method takes, and the error names the first element that is not one.
 */
import { invalidArgument } from './errors.ts';
import { isHlc } from './hlc.ts';
import { valueError } from './message.ts';
import { isObject } from './option-keys.ts';
import { isSchema } from './schema.ts';
import type { CellWrite, StoredMessage } from './store.ts';

type Method = 'open' | 'winners' | 'values' | 'transact' | 'messages' | 'commit';

const TAKES: Readonly<Record<Method, string>> = {
  open: 'a schema from defineSchema()',
  winners: 'an array of cells',
  values: 'an array of cells',
  transact: 'an array of cells and a plan function',
  messages: "a query: { kind: 'pending' | 'recent', limit }, { kind: 'unapplied' | 'rejected' } or { kind: 'cell', table, row, column }",
  commit: 'a commit: { insert?, remove?, update?, writes? } arrays and { meta? } an object',
};

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isFlag: Check = (v) => typeof v === 'boolean';
const isError: Check = (v) => v === null || isString(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const isCell: Check = (c) => isObject(c) && isString(c.table) && isString(c.row) && isString(c.column);
// A value is a JSON value within the protocol's limits, as the client checks it when it is written or pulled.
const isValue: Check = (v) => valueError(v) === null;
const ELEMENTS: Readonly<Record<'insert' | 'update' | 'remove' | 'writes', [string, Check]>> = {
  insert: ['a stored message', (m) => isObject(m) && messageProblem(m) === null],
  // An hlc to update or remove is only looked up: one that is not stored (nor an hlc) changes nothing.
  update: ['a flag update', (u) => isObject(u) && isString(u.hlc) && optional(isFlag)(u.synced) && optional(isFlag)(u.applied) && optional(isError)(u.error)],
  remove: ['an hlc string', isString],
  writes: ['a cell write', (w) => isCell(w) && isValue((w as CellWrite).value) && ((w as CellWrite).hlc === null || isHlc((w as CellWrite).hlc))],
};

/**
 * Why a value is not a stored message, or null: what a store's `messages()` answers is checked
 * with it (store-guard.ts), and so is each message of an app's own `commit({ insert })` here.
 */
export function messageProblem(value: unknown): string | null {
  const m = value as StoredMessage | null;
  if (typeof m !== 'object' || m === null) return 'a message is not an object';
  if (typeof m.hlc !== 'string' || typeof m.table !== 'string' || typeof m.row !== 'string' || typeof m.column !== 'string') {
    return 'a message lacks hlc, table, row or column';
  }
  if (!isHlc(m.hlc)) return `message ${JSON.stringify(m.hlc).slice(0, 60)} has an hlc that is not one`;
  // Said as it is: a SQL driver's 0 and 1 were reported as flags missing (until round 60).
  if (typeof m.local !== 'boolean' || typeof m.synced !== 'boolean' || typeof m.applied !== 'boolean') return `message ${m.hlc} has flags that are not booleans (not 0 or 1)`;
  if (m.error !== null && typeof m.error !== 'string') return `message ${m.hlc} has an invalid error`;
  // A driver that reads SQL NULL back as undefined: pushed, the message would have no value
  // at all, and the server would refuse it as invalid, setting the user's write aside.
  if (m.value === undefined) return `message ${m.hlc} has no value (a null value must be read back as null)`;
  // A driver's BigInt, a Date, NaN or a function: pushed, JSON made each an error untyped, a
  // string, null or no value at all (the server refused it and the write was set aside), until round 67.
  const notJson = valueError(m.value);
  return notJson && `message ${m.hlc} has a value that is not JSON: ${notJson}`;
}

/** Why the element of `list` that `check` refuses is not one, or null: a non-array is refused by the shape. */
function elementError(list: unknown, name: string, [what, check]: [string, Check]): string | null {
  if (!Array.isArray(list)) return null;
  const at = list.findIndex((v) => !check(v));
  return at < 0 ? null : `${name}[${at}] is not ${what}`;
}

function isQuery(q: unknown): boolean {
  if (!isObject(q)) return false;
  const { kind } = q;
  if (kind === 'pending' || kind === 'recent') return Number.isSafeInteger(q.limit) && (q.limit as number) >= 0;
  if (kind === 'cell') return isString(q.table) && isString(q.row) && isString(q.column);
  return kind === 'unapplied' || kind === 'rejected';
}

const isList = (list: unknown): boolean => list === undefined || Array.isArray(list);
// Each part named, not an array of them walked: checked on every local write, and the array
// and its callback were a fifth of the client's own work in one (round 64 profile).
const isCommit = (c: unknown): boolean =>
  isObject(c) && isList(c.insert) && isList(c.remove) && isList(c.update) && isList(c.writes) && (c.meta === undefined || isObject(c.meta));

/**
 * How many of the client's store calls are running (store-guard.ts): it made their elements
 * from what it had checked, so they are not checked again; an app's own calls are. Checking
 * the client's too cost the `peers` bench's pulls about a tenth of their rate. A depth, not a
 * mark on each argument: a WeakSet of every commit and cell list cost a local write more than
 * the checks it saved. The library's stores check at once, before they await anything.
 */
let clientCalls = 0;
export function asClient<T>(call: () => T): T {
  clientCalls++;
  try {
    return call();
  } finally {
    clientCalls--;
  }
}

/** Why an element of a well-shaped `arg` is not what the contract passes, or null. */
function elementsError(method: Method, arg: unknown): string | null {
  if (clientCalls > 0) return null;
  if (method === 'commit') {
    const c = arg as Record<string, unknown>;
    for (const key of ['insert', 'update', 'remove', 'writes'] as const) {
      const why = elementError(c[key], key, ELEMENTS[key]);
      if (why) return why;
    }
    return c.meta && !Object.values(c.meta).every(isString) ? 'meta values must be strings' : null;
  }
  // The other methods' one array is of cells (open and messages take none).
  return elementError(arg, 'cells', ['a cell: { table, row, column } strings', isCell]);
}

/** Throws a ValidationError that says what the store method takes, unless `arg` (and `plan`, for transact) is what the contract passes. */
export function checkStoreCall(method: Method, arg: unknown, plan?: unknown): void {
  const ok = method === 'open' ? isSchema(arg)
    : method === 'messages' ? isQuery(arg)
      : method === 'commit' ? isCommit(arg)
        : Array.isArray(arg) && (method !== 'transact' || typeof plan === 'function');
  const why = ok ? elementsError(method, arg) : '';
  if (why !== null) throw invalidArgument(`store.${method}() takes ${TAKES[method]}${why ? `: ${why}` : ''}`);
}
