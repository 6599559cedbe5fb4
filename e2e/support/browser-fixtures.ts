/** The `cluster` fixture for the Chromium runs: fresh server, fresh hosts, fresh profiles per test. */
import { test as base, expect } from '@playwright/test';
import { rendererDir } from '../../scripts/app-build.ts';
import { startBrowserCluster, type BrowserCluster } from './browser-cluster.ts';
import { withCluster } from './cluster-fixture.ts';

export const test = base.extend<{ instanceCount: number; cluster: BrowserCluster }>({
  instanceCount: [3, { option: true }],
  cluster: async ({ browser, instanceCount }, use, testInfo) => {
    await withCluster('browser', (dir) => startBrowserCluster({ browser, count: instanceCount, dir, rendererDir }), use, testInfo);
  },
});

export { expect };
