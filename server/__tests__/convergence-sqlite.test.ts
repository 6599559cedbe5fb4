/** The core's property-based convergence suite, against the server's real SQLite store on files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { checkConvergence } from '../../test-support/convergence/convergence.ts';
import { memoryTarget } from '../../test-support/convergence/memory-target.ts';
import { createSqliteServerStore } from '../stores/sqlite-server-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'fieldsync-convergence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

it('converges against the SQLite server store (150 runs, real files)', async () => {
  await checkConvergence({
    ...memoryTarget,
    async createServerStore({ compaction }) {
      const file = join(dir, `server-${n++}.sqlite`);
      // A tiny scan window makes pulls stop early with `more: true`, as they do at scale.
      const store = createSqliteServerStore({ file, compaction, maxScanIds: n % 2 ? 3 : 50_000 });
      return { store, dispose: async () => store.close() };
    },
  }, { numRuns: 150, seed: 3 });
}, 300_000);
