/**
 * What a failing conformance case says to a store author. Round 56: a case that compared a
 * value the store left out (`undefined`, which JSON has no text for) failed with the suite's
 * own TypeError, "Cannot read properties of undefined (reading 'slice')", instead of its
 * ConformanceError: a `readRow` that hides tombstones, as an app's reads do, met it first.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../index.ts';
import { canonical, ConformanceError, storeConformance } from '../testing/index.ts';
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

  it('canonical gives text for every value, undefined included', () => {
    expect(canonical(undefined)).toBe('undefined');
    expect(canonical({ b: 1, a: [undefined] })).toBe('{"a":[null],"b":1}');
  });
});
