/**
 * The arguments of the store contract's calls, as the client makes them (store.ts): checked
 * by the library's own stores, which an app may also call itself (a test, a migration, an
 * inspector of its own). Without the check, `store.open(5)` kept 5 as the schema and every
 * later call failed with a TypeError; `commit(null)` and `winners(null)` were TypeErrors from
 * inside; `messages({ kind: 'newest' })` answered undefined. The shape is checked, not each
 * element: per call, not per cell, so a pull's pages pay nothing measurable. Kept small, as
 * it ships with the memory store in every app that uses it: one sentence per method says
 * what the method takes.
 */
import { invalidArgument } from './errors.ts';
import { isSchema } from './schema.ts';

type Method = 'open' | 'winners' | 'values' | 'transact' | 'messages' | 'commit';

const TAKES: Readonly<Record<Method, string>> = {
  open: 'a schema from defineSchema()',
  winners: 'an array of cells',
  values: 'an array of cells',
  transact: 'an array of cells and a plan function',
  messages: "a query: { kind: 'pending' | 'recent', limit }, { kind: 'unapplied' | 'rejected' } or { kind: 'cell', table, row, column }",
  commit: 'a commit: { insert?, remove?, update?, writes? } arrays and { meta? } an object',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): boolean => typeof v === 'string';

function isQuery(q: unknown): boolean {
  if (!isObject(q)) return false;
  const { kind } = q;
  if (kind === 'pending' || kind === 'recent') return Number.isSafeInteger(q.limit) && (q.limit as number) >= 0;
  if (kind === 'cell') return isString(q.table) && isString(q.row) && isString(q.column);
  return kind === 'unapplied' || kind === 'rejected';
}

const isCommit = (c: unknown): boolean =>
  isObject(c) && [c.insert, c.remove, c.update, c.writes].every((list) => list === undefined || Array.isArray(list)) && (c.meta === undefined || isObject(c.meta));

/** Throws a ValidationError that says what the store method takes, unless `arg` (and `plan`, for transact) is what the contract passes. */
export function checkStoreCall(method: Method, arg: unknown, plan?: unknown): void {
  const ok = method === 'open' ? isSchema(arg)
    : method === 'messages' ? isQuery(arg)
      : method === 'commit' ? isCommit(arg)
        : Array.isArray(arg) && (method !== 'transact' || typeof plan === 'function');
  if (!ok) throw invalidArgument(`store.${method}() takes ${TAKES[method]}`);
}
