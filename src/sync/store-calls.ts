/**
 * The arguments of the store contract's calls, as the client makes them (store.ts): checked
 * by the library's own stores, which an app may also call itself (a test, a migration, an
 * inspector of its own). Without the check, `store.open(5)` kept 5 as the schema and every
 * later call failed with a TypeError; `commit(null)` and `winners(null)` were TypeErrors from
 * inside; `messages({ kind: 'newest' })` answered undefined. The shape is checked, not each
 * element: per call, not per cell, so a pull's pages pay nothing measurable.
 */
import { invalidArgument } from './errors.ts';

// An array, not a Set: a module that builds one when it loads is kept in every bundle that reaches it (tree-shaking.test.ts).
const QUERY_KINDS: readonly unknown[] = ['pending', 'unapplied', 'rejected', 'cell', 'recent'];
const COMMIT_LISTS = ['insert', 'remove', 'update', 'writes'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLimit = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;

function queryError(q: unknown): string | null {
  if (!isObject(q) || !QUERY_KINDS.includes(q.kind)) return 'the query must be { kind } of pending, unapplied, rejected, cell or recent';
  if ((q.kind === 'pending' || q.kind === 'recent') && !isLimit(q.limit)) return `a ${q.kind} query's limit must be an integer, 0 or more`;
  if (q.kind === 'cell' && (typeof q.table !== 'string' || typeof q.row !== 'string' || typeof q.column !== 'string')) return "a cell query's table, row and column must be strings";
  return null;
}

function commitError(c: unknown): string | null {
  if (!isObject(c)) return 'the commit must be an object';
  for (const list of COMMIT_LISTS) if (c[list] !== undefined && !Array.isArray(c[list])) return `the commit's ${list} must be an array`;
  if (c.meta !== undefined && !isObject(c.meta)) return "the commit's meta must be an object";
  return null;
}

const CHECKS = {
  open: (schema: unknown) => ((schema as { tables?: unknown } | null)?.tables instanceof Map ? null : 'the schema must come from defineSchema()'),
  winners: (cells: unknown) => (Array.isArray(cells) ? null : 'the cells must be an array'),
  values: (cells: unknown) => (Array.isArray(cells) ? null : 'the cells must be an array'),
  messages: queryError,
  commit: commitError,
  transact: (cells: unknown) => (Array.isArray(cells) ? null : 'the cells must be an array'),
} satisfies Record<string, (arg: unknown) => string | null>;

/** Throws a ValidationError naming the store method and what is wrong with its argument, unless the call is the contract's. */
export function checkStoreCall(method: keyof typeof CHECKS, arg: unknown): void {
  const why = CHECKS[method](arg);
  if (why !== null) throw invalidArgument(`store.${method}(): ${why}`);
}
