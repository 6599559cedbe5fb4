import { describe, expect, it } from 'vitest';
import { SchemaError, StoreError, ValidationError, createMemoryStore } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import type { StoreState } from '../store.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { conformanceSchema, serverStoreConformance, storeConformance } from '../testing/index.ts';

describe('memory store conformance', () => {
  for (const c of storeConformance(() => {
    const store = createMemoryStore();
    return { store, readRow: (table, row) => store.get(table, row) };
  }, { persistent: false, transact: false })) {
    it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
  }
});

for (const compaction of [true, false]) {
  describe(`memory server store conformance (compaction ${compaction ? 'on' : 'off'})`, () => {
    for (const c of serverStoreConformance(() => ({ store: createMemoryServerStore({ compaction }) }), { compaction, persistent: false })) {
      it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
    }
  });
}

describe('conformance cases never pass without running', () => {
  const memoryHarness = () => {
    const store = createMemoryStore();
    return { store, readRow: (table: string, row: string) => store.get(table, row) };
  };

  it('a case the store cannot support says why, and running it anyway fails', async () => {
    // The shared-store cases, opt-in, are skipped too (shared-store-conformance.test.ts).
    const skipped = storeConformance(memoryHarness, { persistent: false, transact: false }).filter((c) => c.skip !== undefined && !c.name.includes('(optional)') && !c.name.startsWith('shared store:'));
    expect(skipped.map((c) => c.name)).toEqual(['everything survives a restart']);
    expect(skipped[0]?.skip).toMatch(/keeps nothing across a restart/);
    await expect(skipped[0]!.run()).rejects.toThrow(/cannot run against this store/);
    const server = serverStoreConformance(() => ({ store: createMemoryServerStore() }), { compaction: true, persistent: false });
    expect(server.filter((c) => c.skip !== undefined).map((c) => c.name)).toEqual(['everything survives a restart, and ids are never reused (compaction on)']);
  });

  it('the cases of an optional function the store has not: skipped when said, failed when not, never passed', async () => {
    const optional = (o: Record<string, boolean>) => storeConformance(memoryHarness, { persistent: false, ...o }).filter((c) => c.name.includes('(optional)'));
    // The memory store has values() but not transact().
    const told = optional({ transact: false });
    expect(told.map((c) => [c.name.split(':')[0], c.skip])).toEqual([
      ['values (optional)', undefined],
      ['transact (optional)', 'the store has no transact() (transact: false)'],
      ['transact (optional)', 'the store has no transact() (transact: false)'],
    ]);
    await expect(told[0]!.run()).resolves.toBeUndefined();
    const untold = optional({}).filter((c) => c.name.startsWith('transact'));
    expect(untold.every((c) => c.skip === undefined)).toBe(true);
    for (const c of untold) await expect(c.run()).rejects.toThrow('the store has no transact(): tell the suite { transact: false }, and its cases are skipped');
    const noValues = () => {
      const h = memoryHarness();
      const { values: _values, ...store } = h.store;
      return { ...h, store: store as typeof h.store };
    };
    const valuesCase = storeConformance(noValues, { persistent: false, transact: false }).find((c) => c.name.startsWith('values'))!;
    await expect(valuesCase.run()).rejects.toThrow('the store has no values(): tell the suite { values: false }, and its cases are skipped');
  });

  it('a persistent store whose harness cannot reopen fails its restart cases instead of skipping them', async () => {
    const cases = storeConformance(memoryHarness);
    expect(cases.every((c) => c.skip === undefined || c.name.startsWith('shared store:'))).toBe(true);
    await expect(cases.find((c) => c.name === 'everything survives a restart')!.run()).rejects.toThrow(/no reopen\(\)/);
  });
});

// Called wrongly, a suite said so only case by case, or not at all ("Cannot read properties
// of undefined (reading 'persistent')"; a misspelt `persistant` ran the restart cases).
describe('the conformance suites, given what they cannot use', () => {
  const harness = () => ({ store: createMemoryStore(), readRow: () => undefined });
  const server = () => ({ store: createMemoryServerStore() });

  it.each([
    ['no harness maker', () => storeConformance(undefined as never), 'storeConformance: the first argument must be a function that makes a harness'],
    ['a harness instead of its maker', () => storeConformance(harness() as never), 'storeConformance: the first argument must be a function that makes a harness'],
    ['options of null', () => storeConformance(harness, null as never), 'storeConformance: options must be an object'],
    ['a misspelt option', () => storeConformance(harness, { persistant: false } as never), 'storeConformance: unknown option persistant: the options are persistent, transact, values, shared'],
    ['an option that is not a boolean', () => storeConformance(harness, { transact: 'no' } as never), 'storeConformance: transact must be true or false'],
    ['a function for shared (the harness gives the other store)', () => storeConformance(harness, { shared: () => harness().store } as never), 'storeConformance: shared must be true or false'],
    ['no options (compaction is required)', () => serverStoreConformance(server, undefined as never), 'serverStoreConformance: options must be an object'],
    ['no compaction', () => serverStoreConformance(server, {} as never), 'serverStoreConformance: options.compaction must be true or false'],
    ['an option of the client suite', () => serverStoreConformance(server, { compaction: true, transact: false } as never), 'serverStoreConformance: unknown option transact: the options are compaction, persistent'],
    ['no server harness maker', () => serverStoreConformance(null as never, { compaction: true }), 'serverStoreConformance: the first argument must be a function that makes a harness'],
  ])('%s: a ValidationError at once', (_name, call, message) => {
    expect(call).toThrow(new ValidationError('invalid_argument', message));
  });
});

describe('memory store specifics', () => {
  it('refuses to work before open(), and names what is not in the schema', () => {
    const store = createMemoryStore();
    expect(() => store.commit({ meta: { a: '1' } })).toThrow(new StoreError('the store is not open'));
    store.open(conformanceSchema);
    expect(() => store.commit({ writes: [{ table: 'notes', row: 'r', column: 'nope', value: 1, hlc: null }] }))
      .toThrow(new SchemaError('store: notes.nope is not in the schema'));
  });

  it('maxHlc falls back to the greatest remaining message after a removal, whatever the order of insertion', () => {
    const store = createMemoryStore();
    store.open(conformanceSchema);
    const at = (n: number) => ({ hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + n, counter: 0, clientId: 'c' }), table: 'notes', row: 'r', column: 'title', value: n, local: true, synced: false, applied: true, error: null });
    store.commit({ insert: [at(5), at(3)] });
    store.commit({ insert: [at(9)] });
    expect((store.open(conformanceSchema) as StoreState).maxHlc).toBe(at(9).hlc);
    store.commit({ remove: [at(9).hlc] });
    expect((store.open(conformanceSchema) as StoreState).maxHlc).toBe(at(5).hlc);
  });
});
