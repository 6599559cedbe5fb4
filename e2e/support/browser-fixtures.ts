/** The `cluster` fixture for the Chromium runs: fresh server, fresh hosts, fresh profiles per test. */
import { test as base, expect } from '@playwright/test';
import { rendererDir } from '../../scripts/app-build.ts';
import { startBrowserCluster, type BrowserCluster } from './browser-cluster.ts';
import { withCluster } from './cluster-fixture.ts';

export const test = base.extend<{ instanceCount: number; syncIntervalMs: number | undefined; cluster: BrowserCluster }>({
  instanceCount: [3, { option: true }],
  /** The hosts' `--sync-interval-ms`; `test.use({ syncIntervalMs: 0 })` for pokes alone. */
  syncIntervalMs: [undefined, { option: true }],
  cluster: async ({ browser, instanceCount, syncIntervalMs }, use, testInfo) => {
    const interval = syncIntervalMs !== undefined ? { syncIntervalMs } : {};
    await withCluster('browser', (dir) => startBrowserCluster({ browser, count: instanceCount, dir, rendererDir, ...interval }), use, testInfo);
  },
});

export { expect };
