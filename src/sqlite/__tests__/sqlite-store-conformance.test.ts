import { describe, it } from 'vitest';
import { storeConformance } from '../../sync/testing/index.ts';
import { sqliteHarness } from '../../../test-support/sqlite-harness.ts';

describe('SQLite store conformance (real files, reopen on a new connection)', () => {
  for (const c of storeConformance(() => sqliteHarness())) it(c.name, c.run);
});
