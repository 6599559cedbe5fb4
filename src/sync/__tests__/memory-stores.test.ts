import { describe, it } from 'vitest';
import { createMemoryStore } from '../index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { serverStoreConformance, storeConformance } from '../testing/index.ts';

describe('memory store conformance', () => {
  for (const c of storeConformance(() => {
    const store = createMemoryStore();
    return { store, readRow: (table, row) => store.get(table, row) };
  })) {
    it(c.name, c.run);
  }
});

for (const compaction of [true, false]) {
  describe(`memory server store conformance (compaction ${compaction ? 'on' : 'off'})`, () => {
    for (const c of serverStoreConformance(() => ({ store: createMemoryServerStore({ compaction }) }), { compaction })) {
      it(c.name, c.run);
    }
  });
}
