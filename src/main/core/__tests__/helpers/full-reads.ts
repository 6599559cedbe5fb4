/**
 * Counts the full reads of a list (every row decoded), for the tests that check a write reads
 * only what it needs (append-order, move-order). A test file mocks the table queries with it:
 *
 *   vi.mock('../table-queries.ts', async (original) => (await import('./helpers/full-reads.ts')).countingFullReads(original));
 *
 * (imported inside the factory: vi.mock runs before the file's own imports).
 */
import type * as TableQueriesModule from '../../table-queries.ts';

/** Full reads since a test last set `count` to 0. */
export const fullReads = { count: 0 };

export async function countingFullReads(original: () => Promise<typeof TableQueriesModule>): Promise<typeof TableQueriesModule> {
  const actual = await original();
  return {
    ...actual,
    tableQueries: (...args: Parameters<typeof actual.tableQueries>) => {
      const queries = actual.tableQueries(...args);
      return {
        ...queries,
        all: () => (fullReads.count++, queries.all()),
        children: (parentId: string) => (fullReads.count++, queries.children(parentId)),
      };
    },
  };
}
