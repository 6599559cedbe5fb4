/**
 * The conformance suite's shared-store cases (`{ shared: true }`), against stores that
 * cannot pass them: the memory store, which cannot be shared (skipped, with the reason),
 * and the shared store a store author writes first: two handles on one memory store, with a
 * `transact` that is `winners()` then `commit()`. The SQLite store passes them
 * (sqlite-store-conformance.test.ts); each of its rules, planted out, fails its case
 * (docs/testing.md).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../index.ts';
import type { MemoryStore } from '../memory-store.ts';
import type { SyncStore } from '../store.ts';
import { storeConformance, type ConformanceCase, type StoreHarness } from '../testing/index.ts';

const isShared = (c: ConformanceCase): boolean => c.name.startsWith('shared store:');

/** A harness of the memory store, without transact(). */
function memoryHarness(): StoreHarness {
  const store = createMemoryStore();
  return { store, readRow: (table, row) => store.get(table, row) };
}

/**
 * What a store author may write first: every handle reads and writes one memory store, and
 * `transact` passes plan the cells' greatest winner only. It keeps none of the three rules
 * of a shared store (docs/api.md, `transact`).
 */
function naiveHandle(shared: MemoryStore): SyncStore {
  return {
    open: (schema) => shared.open(schema),
    winners: (cells) => shared.winners(cells),
    messages: (query) => shared.messages(query),
    commit: (commit) => shared.commit(commit),
    async transact(cells, plan) {
      const winners = [...(await shared.winners(cells)).values()].sort();
      await shared.commit(plan(winners.at(-1) ?? null));
    },
  };
}

function naiveHarness(): StoreHarness {
  const shared = createMemoryStore();
  return { store: naiveHandle(shared), readRow: (table, row) => shared.get(table, row), connect: () => naiveHandle(shared) };
}

describe('the shared-store cases of storeConformance', () => {
  it('are skipped, with the reason, unless the suite is told { shared: true }: the memory store cannot be shared', async () => {
    const shared = storeConformance(memoryHarness, { persistent: false, transact: false }).filter(isShared);
    expect(shared).toHaveLength(5);
    const reason = 'the suite was not told the store can be shared by several connections (shared: true, with the harness\'s connect())';
    expect(shared.map((c) => c.skip)).toEqual(Array(5).fill(reason));
    await expect(shared[1]!.run()).rejects.toThrow(`cannot run against this store: ${reason}`);
  });

  it('told { shared: true, transact: false }, skip only those that need transact()', () => {
    const cases = storeConformance(naiveHarness, { persistent: false, transact: false, shared: true }).filter(isShared);
    expect(cases.map((c) => c.skip !== undefined)).toEqual([true, false, false, true, false]);
    expect(cases[0]!.skip).toBe('the store has no transact() (transact: false)');
  });

  it('fail, naming connect(), when the harness has none', async () => {
    const cases = storeConformance(memoryHarness, { persistent: false, shared: true }).filter(isShared);
    for (const c of cases) await expect(c.run()).rejects.toThrow('the harness has no connect(): give it one, or do not tell the suite { shared: true }');
  });

  it('fail a naive shared store, each with what it broke', async () => {
    const cases = storeConformance(naiveHarness, { persistent: false, shared: true }).filter(isShared);
    const outcome = async (c: ConformanceCase): Promise<string> => c.run().then(() => 'passed', (err: Error) => err.message.split('\n')[0] as string);
    const outcomes = await Promise.all(cases.map(outcome));
    expect(outcomes).toEqual([
      expect.stringMatching(/^the other store's first write \(its cell never written\), after a pulled page: plan got null, less than /),
      'the other store\'s commit of another clientId: expected an error, but it succeeded',
      'the cell keeps the other store\'s newer value',
      'the cell keeps the other store\'s newer value',
      // The repair's exception asks nothing a store that writes every write lacks.
      'passed',
    ]);
  });
});
