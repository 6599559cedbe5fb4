/**
 * One case of the client-store suite (store-conformance.ts), as the files of its cases write
 * it, and what several of those files use. The suite registers each case, with its skip
 * reason (a restart case of a store that keeps nothing, an optional function the store has
 * not, a shared-store case not asked for); the case files only say what to check. A file of
 * its own so that the case files depend on it, not on the suite that lists them.
 */
import { SchemaError } from '../errors.ts';
import type { StoredMessage } from '../store.ts';
import type { OptionalFunction, StoreHarness } from './store-fixtures.ts';

export interface StoreCase {
  readonly name: string;
  /** Restarts the store: skipped for a store that keeps nothing across one (`persistent: false`). */
  readonly restart?: boolean;
  /** Uses an optional function: skipped for a store the suite was told has it not. */
  readonly optional?: OptionalFunction;
  /** Needs a second store on the same database: skipped unless the suite was told `shared: true`. */
  readonly shared?: boolean;
  /**
   * Runs on a harness whose store is open on the suite's schema (schemaV1). `reopen(h)` is a
   * restart of the store (the harness's `reopen()`, or `h` itself for a store that keeps
   * nothing); a case that restarts returns the harness it ended with, to be disposed of.
   */
  run(h: StoreHarness, reopen: (h: StoreHarness) => Promise<StoreHarness>): Promise<StoreHarness | void>;
}

export const hlcs = (list: readonly StoredMessage[]): string[] => list.map((m) => m.hlc);

/**
 * How a store refuses a write outside the schema, in every case alike: a `SchemaError`, or
 * any error that says "schema" (the README's example store throws a plain one).
 */
export const isSchemaRefusal = (err: unknown): boolean => err instanceof SchemaError || (err instanceof Error && /schema/i.test(err.message));
