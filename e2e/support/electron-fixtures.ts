/** The `cluster` fixture for the Electron runs; each test is skipped, with the reason, where Electron cannot run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { electronSkipReason, startElectronCluster, type ElectronCluster } from './electron-cluster.ts';

export const ELECTRON_SKIP_REASON = electronSkipReason();

export const test = base.extend<{ instanceCount: number; cluster: ElectronCluster }>({
  instanceCount: [3, { option: true }],
  cluster: async ({ instanceCount }, use, testInfo) => {
    testInfo.skip(ELECTRON_SKIP_REASON !== null, ELECTRON_SKIP_REASON ?? '');
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-e2e-electron-'));
    const cluster = await startElectronCluster({ count: instanceCount, dir });
    try {
      await use(cluster);
    } finally {
      await cluster.dispose();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('processes.log', { body: cluster.logs(), contentType: 'text/plain' });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(cluster.pageErrors(), 'uncaught errors in the windows').toEqual([]);
  },
});

export { expect };
