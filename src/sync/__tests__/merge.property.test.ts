/**
 * Last-writer-wins is decided by the library alone: applying the same messages in any
 * order, in any batches, any number of times, gives the same state.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { cellKey, createMemoryStore, type Message } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import { cellsOf, planMerge } from '../merge.ts';
import { schema } from './harness/test-kit.ts';

const messageArb = fc.record({
  ms: fc.integer({ min: 0, max: 20 }),
  counter: fc.integer({ min: 0, max: 3 }),
  client: fc.constantFrom('a', 'b', 'c'),
  row: fc.constantFrom('r1', 'r2'),
  column: fc.constantFrom('title', 'done', 'nope'),
  v: fc.nat(50),
}).map(({ ms, counter, client, row, column, v }): Message => ({
  hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + ms, counter, clientId: client }),
  table: 'todos',
  row,
  column,
  value: column === 'done' ? v % 2 === 0 : `v${v}`,
}));

async function applyAll(batches: Message[][]) {
  const store = createMemoryStore();
  store.open(schema);
  for (const batch of batches) {
    const plan = planMerge(schema, batch, store.winners(cellsOf(schema, batch)) as Map<string, string>);
    store.commit({
      insert: batch.map((m, i) => ({ ...m, local: false, synced: true, applied: plan.problems[i] === null, error: plan.problems[i] ?? null })),
      writes: plan.writes,
    });
  }
  return { r1: store.get('todos', 'r1') ?? null, r2: store.get('todos', 'r2') ?? null };
}

it('any order, any batching, any duplication: the same state, which is the greatest hlc per cell', async () => {
  await fc.assert(fc.asyncProperty(
    fc.uniqueArray(messageArb, { selector: (m) => m.hlc + m.row + m.column, maxLength: 25 }),
    fc.func(fc.nat()), fc.array(fc.nat(4), { maxLength: 30 }),
    async (messages, shuffleKey, cuts) => {
      // Same hlc must mean the same message: keep the first of each hlc.
      const unique = [...new Map(messages.map((m) => [m.hlc, m])).values()];
      const reference = await applyAll([unique]);
      const shuffled = [...unique, ...unique.filter((_, i) => i % 3 === 0)].sort((a, b) => shuffleKey(a.hlc) - shuffleKey(b.hlc));
      const batches: Message[][] = [];
      let rest = shuffled;
      for (const n of cuts) {
        batches.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      batches.push(rest);
      expect(await applyAll(batches)).toEqual(reference);
      // The reference itself is the greatest hlc per known cell.
      const best = new Map<string, Message>();
      for (const m of unique) {
        if (m.column === 'nope') continue;
        const k = cellKey(m.table, m.row, m.column);
        if (!best.has(k) || m.hlc > best.get(k)!.hlc) best.set(k, m);
      }
      for (const row of ['r1', 'r2'] as const) {
        const expected = Object.fromEntries([...best.values()].filter((m) => m.row === row).map((m) => [m.column, m.value]));
        expect(reference[row] ?? {}).toEqual(expected);
      }
    },
  ), { numRuns: 300, seed: 42 });
});
