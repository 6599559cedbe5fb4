/**
 * The convergence suite's random scenarios (convergence.ts): how many clients, their skews and
 * batch sizes, and the operations they run, with their weights; and a write's fields.
 */
import fc from 'fast-check';
import type { JsonValue } from 'fieldsync';
import type { Fault } from './faulty-remote.ts';

type Op =
  | { kind: 'write'; c: number; table: 'todos' | 'lists'; row: number; cols: number; v: number }
  | { kind: 'delete'; c: number; table: 'todos' | 'lists'; row: number }
  | { kind: 'undelete'; c: number; table: 'todos' | 'lists'; row: number }
  | { kind: 'sync'; c: number; fault: Fault }
  | { kind: 'kill'; c: number; midSync: boolean }
  | { kind: 'backup'; c: number }
  | { kind: 'restore'; c: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'skew'; c: number; ms: number };

const HOUR = 3_600_000;
/** Just under the server's default drift limit (5 minutes): such messages are accepted as they are. */
const WITHIN_DRIFT = 4 * 60_000;
const skewArb = fc.oneof(
  fc.integer({ min: -HOUR, max: HOUR }),
  fc.integer({ min: -WITHIN_DRIFT, max: WITHIN_DRIFT }),
  fc.integer({ min: -2000, max: 2000 }),
);
const client = fc.nat(4);
const table = fc.constantFrom<'todos' | 'lists'>('todos', 'lists');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), c: client, table, row: fc.nat(4), cols: fc.integer({ min: 1, max: 7 }), v: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), c: client, table, row: fc.nat(4) }) },
  // Undo of a delete (the app's `restore`): a newer `_deleted: false`.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('undelete' as const), c: client, table, row: fc.nat(4) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), c: client, fault: fc.constantFrom<Fault>('none', 'none', 'none', 'failBefore', 'loseResponse', 'duplicate', 'shuffle', 'rewind') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), c: client, midSync: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('backup' as const), c: client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), c: client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 90_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('skew' as const), c: client, ms: skewArb }) },
);

export const scenarioArb = fc.record({
  clients: fc.integer({ min: 2, max: 5 }),
  skews: fc.array(skewArb, { minLength: 5, maxLength: 5 }),
  pullLimits: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 5, maxLength: 5 }),
  pushBatches: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 5, maxLength: 5 }),
  compaction: fc.boolean(),
  seed: fc.nat(),
  // size 'max': without it fast-check keeps arrays short (about 10 operations), too few for
  // one client to pull another's write and then write the same cell.
  ops: fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }),
});

export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

export function fieldsFor(t: 'todos' | 'lists', cols: number, v: number): Record<string, JsonValue> {
  const all: Record<string, JsonValue> = t === 'todos'
    ? { title: `title ${v}`, done: v % 2 === 0, rank: v - 500 }
    : { name: `list ${v}`, meta: v % 3 === 0 ? null : { v, tags: [`t${v % 7}`] } };
  const keys = Object.keys(all);
  const picked = keys.filter((_, i) => (cols >> i) & 1);
  return Object.fromEntries((picked.length ? picked : keys.slice(0, 1)).map((k) => [k, all[k] as JsonValue]));
}
