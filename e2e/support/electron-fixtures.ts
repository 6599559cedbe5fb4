/** The `cluster` fixture for the Electron runs; each test is skipped, with the reason, where Electron cannot run. */
import { test as base, expect } from '@playwright/test';
import { withCluster } from './cluster-fixture.ts';
import { electronSkipReason, startElectronCluster, type ElectronCluster } from './electron-cluster.ts';

export const ELECTRON_SKIP_REASON = electronSkipReason();

export const test = base.extend<{ instanceCount: number; cluster: ElectronCluster }>({
  instanceCount: [3, { option: true }],
  cluster: async ({ instanceCount }, use, testInfo) => {
    testInfo.skip(ELECTRON_SKIP_REASON !== null, ELECTRON_SKIP_REASON ?? '');
    await withCluster('electron', (dir) => startElectronCluster({ count: instanceCount, dir }), use, testInfo);
  },
});

export { expect };
