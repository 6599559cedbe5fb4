/**
 * What a failing conformance case says to a store author. Round 56: a case that compared a
 * value the store left out (`undefined`, which JSON has no text for) failed with the suite's
 * own TypeError, "Cannot read properties of undefined (reading 'slice')", instead of its
 * ConformanceError: a `readRow` that hides tombstones, as an app's reads do, met it first.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type StoredMessage, type SyncStore } from '../index.ts';
import { canonical, ConformanceError, storeConformance } from '../testing/index.ts';
import { checkEqual } from '../testing/assert.ts';
import { caught } from '../../../test-support/refusal.ts';

describe('a failing conformance case', () => {
  it('with a value the store left out: a ConformanceError that says actual undefined', async () => {
    const cases = storeConformance(() => {
      const store = createMemoryStore();
      // Tombstones hidden, as an app's reads do: the suite reads them back (`_deleted: true`).
      return { store, readRow: (table, row) => (store.get(table, row)?._deleted === true ? undefined : store.get(table, row)) };
    }, { persistent: false, transact: false });
    const tombstone = cases.find((c) => c.name === 'the _deleted tombstone column is writable');
    const err = await caught(() => tombstone?.run());
    expect(err).toBeInstanceOf(ConformanceError);
    expect((err as Error).message).toBe('tombstone\n  expected: true\n  actual:   undefined');
  });

  // Round 60: a store that keeps values as JSON text in a column and hands the text back (a
  // store author's common mistake) failed with two lists that differ in quotes only, and no
  // word of why; the client cannot tell (docs/api.md, SyncStore), so the suite must.
  it("with every value answered as its JSON text: it says so, and what to do", async () => {
    const cases = storeConformance(() => {
      const inner = createMemoryStore();
      const store: SyncStore = {
        ...inner,
        messages: (q) => (inner.messages(q) as readonly StoredMessage[]).map((m) => ({ ...m, value: JSON.stringify(m.value) })),
      };
      return { store, readRow: (table, row) => inner.get(table, row) };
    }, { persistent: false, transact: false });
    const roundTrip = cases.find((c) => c.name === 'values round-trip exactly, in messages and in data');
    const err = await caught(() => roundTrip?.run());
    expect(err).toBeInstanceOf(ConformanceError);
    expect((err as Error).message).toMatch(/^message values\n {2}expected: \[null,true,.*\n {2}actual: {3}\["null","true",.*\n {2}\(each value differing is the JSON text of the one expected: JSON\.parse a column that keeps JSON as it is read\)$/s);
  });

  it('a value that differs otherwise gets no such hint', () => {
    const err = (() => { try { checkEqual([1, 'x'], [1, 'y'], 'values'); } catch (e) { return e; } })();
    expect((err as Error).message).toBe('values\n  expected: [1,"y"]\n  actual:   [1,"x"]');
  });

  // Round 60: one store for every case (a harness that opens one file) failed a dozen cases,
  // each with a list that held the others' messages, and no word of why.
  it('with one store for every case: the cases after the first say the harness gave a store that is not empty', async () => {
    const store = createMemoryStore();
    const cases = storeConformance(() => ({ store, readRow: (table, row) => store.get(table, row) }), { persistent: false, transact: false });
    const [empty, meta, ...rest] = cases.filter((c) => c.skip === undefined);
    expect([empty?.name, meta?.name]).toEqual(['open on an empty store returns empty state', 'meta entries are set, merged and overwritten']);
    await empty?.run();
    await meta?.run(); // passes, and leaves its meta entries in the store
    for (const c of rest.slice(0, 3)) {
      const err = await caught(() => c.run());
      expect(err).toBeInstanceOf(ConformanceError);
      expect((err as Error).message).toMatch(/^the harness gave a store that is not empty \(it holds messages or meta\): each case needs a new, empty store;/);
    }
  });

  it('canonical gives text for every value, undefined included', () => {
    expect(canonical(undefined)).toBe('undefined');
    expect(canonical({ b: 1, a: [undefined] })).toBe('{"a":[null],"b":1}');
  });
});
