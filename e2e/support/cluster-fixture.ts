/** What the Chromium and Electron `cluster` fixtures share: a fresh folder, and the clean-up. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type TestInfo } from '@playwright/test';

export interface DisposableCluster {
  dispose(): Promise<void>;
  /** The processes' output, attached to a failed test. */
  logs(): string;
  /** Uncaught errors in the pages or windows: a passing test has none. */
  pageErrors(): string[];
}

export async function withCluster<C extends DisposableCluster>(
  name: string,
  start: (dir: string) => Promise<C>,
  use: (cluster: C) => Promise<void>,
  testInfo: TestInfo,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `fieldsync-e2e-${name}-`));
  const cluster = await start(dir);
  try {
    await use(cluster);
  } finally {
    await cluster.dispose();
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('processes.log', { body: cluster.logs(), contentType: 'text/plain' });
    rmSync(dir, { recursive: true, force: true });
  }
  expect(cluster.pageErrors(), `uncaught errors in the ${name} instances`).toEqual([]);
}
