/** The `cluster` fixture for the Chromium runs: fresh server, fresh hosts, fresh profiles per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { rendererDir } from '../../scripts/app-build.ts';
import { startBrowserCluster, type BrowserCluster } from './browser-cluster.ts';

export const test = base.extend<{ instanceCount: number; cluster: BrowserCluster }>({
  instanceCount: [3, { option: true }],
  cluster: async ({ browser, instanceCount }, use, testInfo) => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-e2e-'));
    const cluster = await startBrowserCluster({ browser, count: instanceCount, dir, rendererDir });
    try {
      await use(cluster);
    } finally {
      await cluster.dispose();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('processes.log', { body: cluster.logs(), contentType: 'text/plain' });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(cluster.pageErrors(), 'uncaught errors in the pages').toEqual([]);
  },
});

export { expect };
