/** Shared fixtures of the store conformance suite. */
import { formatHlc } from '../hlc.ts';
import type { JsonValue } from '../message.ts';
import { defineSchema, type Schema } from '../schema.ts';
import type { MaybePromise, StoredMessage, SyncStore } from '../store.ts';

/** What the suite needs around a store: the store, a way to read data rows, and a restart. */
export interface StoreHarness {
  readonly store: SyncStore;
  /**
   * A data row as the store holds it (`column: value`; columns never written may be missing
   * or null), or undefined when the row does not exist.
   */
  readRow(table: string, row: string): MaybePromise<Readonly<Record<string, JsonValue>> | undefined>;
  /**
   * Closes this store and opens the same database again in a new one, as after a restart
   * or a crash. Without it, the persistence cases are skipped.
   */
  reopen?(): MaybePromise<StoreHarness>;
  /** Releases everything (called once at the end of each case). */
  dispose?(): MaybePromise<void>;
}

export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
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
