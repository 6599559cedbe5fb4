/** Client and server stores of the convergence suite, in memory. */
import { cellKey, createMemoryStore, type JsonValue } from 'fieldsync';
import { createMemoryServerStore } from 'fieldsync/server';
import type { ClientStoreHandle, ConvergenceTarget } from './convergence.ts';
import { convergenceSchema } from './convergence.ts';

type MemoryStore = ReturnType<typeof createMemoryStore>;

/** Every non-null cell of the convergence schema's tables, from a store's row reader. */
export function readCells(
  rows: (table: string, options: { includeDeleted: true }) => ReadonlyMap<string, Readonly<Record<string, JsonValue>>>,
): Map<string, JsonValue> {
  const cells = new Map<string, JsonValue>();
  for (const table of convergenceSchema.tables.keys()) {
    for (const [row, values] of rows(table, { includeDeleted: true })) {
      for (const [column, value] of Object.entries(values)) if (value !== null) cells.set(cellKey(table, row, column), value);
    }
  }
  return cells;
}

/** The memory store keeps its data in the object, so a "reopened" store is the same object. */
export function memoryClientStore(store: MemoryStore = createMemoryStore()): ClientStoreHandle {
  return {
    store,
    reopen: async () => memoryClientStore(store),
    readCells: async () => readCells((table, options) => store.rows(table, options)),
    dispose: async () => {},
  };
}

export const memoryTarget: ConvergenceTarget = {
  createClientStore: async () => memoryClientStore(),
  createServerStore: async ({ compaction }) => ({ store: createMemoryServerStore({ compaction }), dispose: async () => {} }),
};
