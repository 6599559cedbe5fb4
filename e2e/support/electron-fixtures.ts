/** The `cluster` fixture for the Electron runs; each test is skipped, with the reason, where Electron cannot run. */
import { test as base, expect } from '@playwright/test';
import { withCluster } from './cluster-fixture.ts';
import { electronSkipReason, startElectronCluster, type ElectronCluster } from './electron-cluster.ts';

export const ELECTRON_SKIP_REASON = electronSkipReason();

export const test = base.extend<{ instanceCount: number; syncIntervalMs: number | undefined; cluster: ElectronCluster }>({
  instanceCount: [3, { option: true }],
  /** The apps' `--sync-interval-ms`; `test.use({ syncIntervalMs: 0 })` for pokes alone. */
  syncIntervalMs: [undefined, { option: true }],
  cluster: async ({ instanceCount, syncIntervalMs }, use, testInfo) => {
    testInfo.skip(ELECTRON_SKIP_REASON !== null, ELECTRON_SKIP_REASON ?? '');
    const interval = syncIntervalMs !== undefined ? { syncIntervalMs } : {};
    await withCluster('electron', (dir) => startElectronCluster({ count: instanceCount, dir, ...interval }), use, testInfo);
  },
});

export { expect };
