/**
 * The client's merge step (merge.ts) as `fieldsync/testing` hands it to a store author's
 * tests and benchmarks: the same functions, their arguments checked first. The client calls
 * merge.ts directly with what it has already checked (a parsed page, its store's winners);
 * here the caller's own code passes them, and a mistake (no schema, a page that is not an
 * array, winners in a plain object) is a ValidationError, not a TypeError from inside the
 * loop or a plan that silently treats every cell as new.
 *
 * The checks are of shape only, one pass of `typeof` per message: which messages apply
 * (a table or column the schema lacks, a value of the wrong type) is the plan's own answer,
 * in `problems`, exactly as for the client.
 */
import { invalidArgument } from '../errors.ts';
import { cellsOf as rawCellsOf, planMerge as rawPlanMerge, type MergePlan } from '../merge.ts';
import type { Message } from '../message.ts';
import { isSchema, type Schema } from '../schema.ts';
import type { Cell } from '../store.ts';

function checkBatch(fn: string, schema: Schema, messages: readonly Message[]): void {
  if (!isSchema(schema)) throw invalidArgument(`${fn}: schema must come from defineSchema()`);
  if (!Array.isArray(messages)) throw invalidArgument(`${fn}: messages must be an array`);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Partial<Message> | null;
    if (typeof m !== 'object' || m === null) throw invalidArgument(`${fn}: message ${i} must be an object`);
    if (typeof m.hlc !== 'string' || typeof m.table !== 'string' || typeof m.row !== 'string' || typeof m.column !== 'string') {
      throw invalidArgument(`${fn}: message ${i} must have string hlc, table, row and column`);
    }
  }
}

/** The cells the applicable messages of a batch touch (what a store's `winners()` is asked for). */
export function cellsOf(schema: Schema, messages: readonly Message[]): readonly Cell[] {
  checkBatch('cellsOf', schema, messages);
  return rawCellsOf(schema, messages);
}

/**
 * Last-writer-wins for a batch, given the store's current winner of each cell it touches
 * (a Map of cellKey → hlc, as `winners()` answers).
 */
export function planMerge(schema: Schema, messages: readonly Message[], winners: ReadonlyMap<string, string>): MergePlan {
  checkBatch('planMerge', schema, messages);
  // Map-like, as the client takes a store's winners() (store-guard.ts): get() and values().
  const w = winners as Partial<ReadonlyMap<string, string>> | null;
  if (typeof w?.get !== 'function' || typeof w.values !== 'function') {
    throw invalidArgument('planMerge: winners must be a Map of cellKey to hlc, as a store\'s winners() answers');
  }
  return rawPlanMerge(schema, messages, winners);
}
