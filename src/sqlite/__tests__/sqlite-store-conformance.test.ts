import { describe, it } from 'vitest';
import { storeConformance } from '../../sync/testing/index.ts';
import { sqliteHarness } from '../../../test-support/sqlite-harness.ts';

describe('SQLite store conformance (real files, reopen on a new connection, shared by two connections)', () => {
  for (const c of storeConformance(() => sqliteHarness(), { shared: true })) it.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
});
