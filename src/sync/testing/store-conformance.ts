/**
 * The store conformance suite: run it against your own store to know it keeps the
 * contract. It returns plain cases, so it works with any test runner:
 *
 * ```ts
 * import { storeConformance } from 'fieldsync/testing';
 * for (const c of storeConformance(() => openMyStore())) {
 *   test.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
 * }
 * ```
 *
 * A store that keeps nothing across a restart passes `{ persistent: false }`: its restart
 * cases come with `skip` and their reason (see ConformanceCase); so do the cases of an
 * optional function the store has not, told with `{ transact: false }` or `{ values: false }`.
 * A store that several connections may share (one file, two processes) passes
 * `{ shared: true }` and a harness with `connect()`, another store on the same database:
 * its shared-store cases (shared-store-cases.ts) run; without it they come with `skip`.
 *
 * This file lists the cases and decides which are skipped; the cases themselves are in files
 * by the contract function they hold a store to (each a list of StoreCase, store-case.ts):
 * open-cases.ts, commit-cases.ts, query-cases.ts, cell-read-cases.ts, transact-cases.ts,
 * commit-safety-cases.ts (what every commit keeps) and shared-store-cases.ts.
 */
import { CELL_READ_CASES } from './cell-read-cases.ts';
import { COMMIT_CASES } from './commit-cases.ts';
import { COMMIT_SAFETY_CASES } from './commit-safety-cases.ts';
import { OPEN_CASES } from './open-cases.ts';
import { QUERY_CASES } from './query-cases.ts';
import { SHARED_CASES } from './shared-store-cases.ts';
import { check } from './assert.ts';
import type { StoreCase } from './store-case.ts';
import {
  CONFORMANCE_OPTION_KEYS, NOT_PERSISTENT, NOT_SHARED, checkSuiteArguments, conformanceCase, connect, notImplemented, restart, schemaV1,
  type ConformanceCase, type ConformanceOptions, type StoreHarness,
} from './store-fixtures.ts';
import { TRANSACT_CASES } from './transact-cases.ts';

/** Two stores on one database: opt-in, for a store that several connections may share. */
const SHARED_STORE_CASES: readonly StoreCase[] = SHARED_CASES.map((c) => ({
  name: c.name,
  shared: true,
  ...(c.optional ? { optional: c.optional } : {}),
  run: async (h: StoreHarness) => c.run(h, await connect(h, schemaV1)),
}));

/** Every case, in the order a runner lists them. */
const CASES: readonly StoreCase[] = [
  ...OPEN_CASES, ...COMMIT_CASES, ...QUERY_CASES, ...CELL_READ_CASES, ...TRANSACT_CASES, ...COMMIT_SAFETY_CASES, ...SHARED_STORE_CASES,
];

export function storeConformance(create: () => StoreHarness | Promise<StoreHarness>, options: ConformanceOptions = {}): ConformanceCase[] {
  checkSuiteArguments('storeConformance', create, options, CONFORMANCE_OPTION_KEYS);
  const persistent = options.persistent ?? true;
  const reopen = (h: StoreHarness): Promise<StoreHarness> => restart(h, persistent);
  return CASES.map((c) => {
    const optional = c.optional;
    const skip = c.restart && !persistent ? NOT_PERSISTENT
      : c.shared && options.shared !== true ? NOT_SHARED
        : optional !== undefined && options[optional] === false ? notImplemented(optional) : undefined;
    return conformanceCase(c.name, skip, create, async (h) => {
      const state = await h.store.open(schemaV1);
      // Round 60: a harness that opened one file (or storage) for every case failed a dozen
      // cases, each with a list that held the others' messages, and no word of why.
      check(!state || (state.maxHlc === null && Object.keys(state.meta ?? {}).length === 0),
        'the harness gave a store that is not empty (it holds messages or meta): each case needs a new, empty store; open a new file or storage in every call of the function given to storeConformance');
      return c.run(h, reopen);
    });
  });
}
