/** Shared fixtures of the store conformance suite. */
import { formatHlc } from '../hlc.ts';
import type { JsonValue } from '../message.ts';
import { defineSchema, type Schema } from '../schema.ts';
import type { CellWrite, MaybePromise, StoredMessage, SyncStore } from '../store.ts';
import { invalidArgument, reading } from '../errors.ts';
import { optionsError } from '../option-keys.ts';
import { ConformanceError } from './assert.ts';

/** What the suite needs around a store: the store, a way to read data rows, and a restart. */
export interface StoreHarness {
  readonly store: SyncStore;
  /**
   * A data row as the store holds it (`column: value`; columns never written may be missing
   * or null), tombstones included (`_deleted: true`, unlike an app's reads), or undefined
   * when the row does not exist.
   */
  readRow(table: string, row: string): MaybePromise<Readonly<Record<string, JsonValue>> | undefined>;
  /**
   * Closes this store and opens the same database again in a new one, as after a restart
   * or a crash. Required unless the suite is told `{ persistent: false }`.
   */
  reopen?(): MaybePromise<StoreHarness>;
  /**
   * Another store on the same database, open at the same time as this one, as a second
   * process would open it (a new connection to the same file). Required when the suite is
   * told `{ shared: true }`; the suite opens it on the schema, and `dispose()` releases it.
   */
  connect?(): MaybePromise<SyncStore>;
  /** Releases everything (called once at the end of each case). */
  dispose?(): MaybePromise<void>;
}

/**
 * One case of a conformance suite. A case the store cannot support (the restart cases of a
 * store that keeps nothing across a restart) comes with `skip`, its reason: skip it and
 * show the reason, as with Vitest
 * `it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run)`,
 * Jest `(c.skip ? test.skip : test)(...)` or node:test `test(c.name, { skip: c.skip }, c.run)`.
 * Running it anyway fails: no case ever passes without having run.
 */
export interface ConformanceCase {
  readonly name: string;
  /** Why this case cannot run against this store; undefined when it runs. */
  readonly skip?: string;
  run(): Promise<void>;
}

export interface ConformanceOptions {
  /**
   * False for a store that keeps nothing across a restart (in memory): its restart cases
   * are skipped, with the reason. Default true: the harness must then have `reopen()`.
   */
  readonly persistent?: boolean;
  /**
   * False for a store without the optional `transact()`, or `values()`: their cases are then
   * skipped, with the reason. Default true: a store without the function then fails them
   * (they never pass without having run).
   */
  readonly transact?: boolean;
  readonly values?: boolean;
  /**
   * True for a store that several connections may share at once (one file, two processes):
   * the harness must then have `connect()`, and the shared-store cases check the rules of
   * docs/api.md (`transact`) on two stores of one database. Default false: they are
   * skipped, with the reason.
   */
  readonly shared?: boolean;
}

/**
 * A suite's arguments, checked when it is called: a harness maker that is not a function
 * would fail every case alike, and options that are not an object (or a misspelt one, such
 * as `persistant`) were a TypeError or were ignored, running cases the store cannot pass.
 */
export function checkSuiteArguments(suite: string, create: unknown, options: unknown, known: Readonly<Record<string, 0>>): void {
  reading(`${suite}: reading the options`, () => checkArguments(suite, create, options, known));
}

function checkArguments(suite: string, create: unknown, options: unknown, known: Readonly<Record<string, 0>>): void {
  if (typeof create !== 'function') throw invalidArgument(`${suite}: the first argument must be a function that makes a harness`);
  const why = optionsError(options, known);
  if (why) throw invalidArgument(`${suite}: ${why}`);
  for (const key of Object.keys(known)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(`${suite}: ${key} must be true or false`);
  }
}

/** The option keys of ConformanceOptions (one list, for the check above). */
export const CONFORMANCE_OPTION_KEYS = { persistent: 0, transact: 0, values: 0, shared: 0 } satisfies Record<keyof ConformanceOptions, 0>;

/** The optional functions of the store contract that have cases of their own. */
export type OptionalFunction = 'transact' | 'values';

/** Why a case of `fn` is skipped: the suite was told the store has none. */
export const notImplemented = (fn: OptionalFunction): string => `the store has no ${fn}() (${fn}: false)`;

/** Fails a case of `fn` run against a store that has none, though the suite was not told. */
export function requireOptional<S extends SyncStore, F extends OptionalFunction>(store: S, fn: F): asserts store is S & Required<Pick<SyncStore, F>> {
  if (typeof (store as Record<string, unknown>)[fn] !== 'function') {
    throw new ConformanceError(`the store has no ${fn}(): tell the suite { ${fn}: false }, and its cases are skipped`);
  }
}

export const NOT_PERSISTENT = 'the store keeps nothing across a restart (persistent: false)';

export const NOT_SHARED = 'the suite was not told the store can be shared by several connections (shared: true, with the harness\'s connect())';

/** Another store on the harness's database (`connect()`), opened on `schema`. */
export async function connect(h: StoreHarness, schema: Schema): Promise<SyncStore> {
  if (!h.connect) throw new ConformanceError('the harness has no connect(): give it one, or do not tell the suite { shared: true }');
  const other = await h.connect();
  await other.open(schema);
  return other;
}

export const schemaV1: Schema = defineSchema({
  version: 1,
  tables: {
    notes: {
      title: 'string',
      body: { type: 'string', nullable: true },
      count: 'integer',
      score: 'number',
      done: 'boolean',
      meta: { type: 'json', nullable: true },
    },
    tags: { name: 'string' },
  },
});

/** Version 2 adds a column to `notes` and a new table. */
export const schemaV2: Schema = defineSchema({
  version: 2,
  tables: {
    notes: {
      title: 'string',
      body: { type: 'string', nullable: true },
      count: 'integer',
      score: 'number',
      done: 'boolean',
      meta: { type: 'json', nullable: true },
      color: { type: 'string', nullable: true },
    },
    tags: { name: 'string' },
    boards: { name: 'string' },
  },
});

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);

/** A deterministic HLC: `n` orders them; `clientId` defaults to the local test client. */
export function hlc(n: number, clientId = 'localClient'): string {
  return formatHlc({ millis: BASE + Math.floor(n / 10), counter: n % 10, clientId });
}

export function msg(
  n: number,
  table: string,
  row: string,
  column: string,
  value: JsonValue,
  flags: Partial<Pick<StoredMessage, 'local' | 'synced' | 'applied' | 'error'>> & { clientId?: string } = {},
): StoredMessage {
  const local = flags.local ?? true;
  return {
    hlc: hlc(n, flags.clientId ?? (local ? 'localClient' : 'otherClient')),
    table,
    row,
    column,
    value,
    local,
    synced: flags.synced ?? !local,
    applied: flags.applied ?? true,
    error: flags.error ?? null,
  };
}

/** The write the library makes when a message wins its cell. */
export const write = (m: StoredMessage): CellWrite => ({ table: m.table, row: m.row, column: m.column, value: m.value, hlc: m.hlc });

/** Values that every store must give back exactly. */
export const TRICKY_VALUES: readonly JsonValue[] = [
  null,
  true,
  false,
  0,
  -1.5,
  0.1,
  1e300,
  Number.MAX_SAFE_INTEGER,
  '',
  "it's \"quoted\" \\ and ; DROP TABLE notes; --",
  'emoji 👩‍💻 and 日本語 and \u0000 NUL and \ud800 lone surrogate',
  'x'.repeat(60_000),
  [],
  [1, 'two', null, { three: [3] }],
  {},
  { nested: { deeper: { deepest: [true, false, null] } }, 'key with spaces': 1 },
];

export const TRICKY_ROWS: readonly string[] = [
  'plain',
  "x'); DROP TABLE notes; --",
  '"double" and `back` quotes',
  'ünïcödé 行 👍',
  ' leading and trailing spaces ',
  'r'.repeat(128),
];

interface Disposable {
  dispose?(): MaybePromise<void>;
}

/**
 * A case that runs `body` on a new harness and disposes of whatever harness it ends with.
 * With `skip`, running it fails instead of passing unseen.
 */
export function conformanceCase<H extends Disposable>(
  name: string,
  skip: string | undefined,
  create: () => H | Promise<H>,
  body: (h: H) => Promise<H | void>,
): ConformanceCase {
  return {
    name,
    ...(skip !== undefined ? { skip } : {}),
    async run() {
      if (skip !== undefined) throw new ConformanceError(`"${name}" cannot run against this store: ${skip}. Skip it (case.skip).`);
      let h = await create();
      try {
        h = (await body(h)) ?? h;
      } finally {
        await h.dispose?.();
      }
    },
  };
}

/**
 * The harness after a restart: `reopen()` of a persistent store; the same harness for a
 * store that keeps nothing across a restart (whose restart cases are skipped anyway).
 */
export async function restart<H extends { reopen?(): MaybePromise<H> }>(h: H, persistent: boolean): Promise<H> {
  if (!persistent) return h;
  if (!h.reopen) throw new ConformanceError('the harness has no reopen(): give it one, or tell the suite { persistent: false }');
  return h.reopen();
}
