/**
 * The scenarios of e2e/browser, unchanged, in real Electron: several app instances with
 * separate profiles. Skipped, with the reason, where Electron's binary is not installed.
 */
import { badInputScenario } from '../scenarios/bad-input.ts';
import { conflictNoticeScenario } from '../scenarios/conflict-notice.ts';
import { findInListScenario } from '../scenarios/find-in-list.ts';
import { slowNetworkScenario } from '../scenarios/slow-network.ts';
import { convergenceScenario } from '../scenarios/convergence.ts';
import { offlineConflictsScenario } from '../scenarios/offline-conflicts.ts';
import { restartInstanceScenario } from '../scenarios/restart-instance.ts';
import { restartServerScenario } from '../scenarios/restart-server.ts';
import { undoDeleteScenario } from '../scenarios/undo-delete.ts';
import { ELECTRON_SKIP_REASON, test } from '../support/electron-fixtures.ts';

// The release workflow sets FIELDSYNC_REQUIRE_ELECTRON=1: there a skip would hide a broken app.
if (process.env.FIELDSYNC_REQUIRE_ELECTRON === '1' && ELECTRON_SKIP_REASON !== null) {
  throw new Error(`FIELDSYNC_REQUIRE_ELECTRON is set, but the Electron scenarios cannot run: ${ELECTRON_SKIP_REASON}`);
}
test.skip(ELECTRON_SKIP_REASON !== null, `Electron: ${ELECTRON_SKIP_REASON ?? ''}`);

test.describe('with no sync on a timer (pokes alone)', () => {
  test.use({ syncIntervalMs: 0 });
  test.slow(true, 'three apps and a long UI scenario');

  test('Electron: three instances edit at once through the UI and all show the same lists, brought by the server’s pokes', async ({ cluster }, testInfo) => {
    await convergenceScenario(cluster, { screenshot: testInfo.outputPath('converged-electron.png') });
  });

  test('Electron: the server restarts mid-session: the instances reconnect by themselves and converge, and pokes come again', async ({ cluster }) => {
    await restartServerScenario(cluster);
  });
});

test('Electron: an instance works offline while the others edit the same todos: last writer wins everywhere', async ({ cluster }) => {
  await offlineConflictsScenario(cluster);
});

test('Electron: an instance restarted with pending changes keeps its data and changes, then syncs them', async ({ cluster }) => {
  await restartInstanceScenario(cluster);
});

test('Electron: bad input gets a clear message and breaks nothing', async ({ cluster }) => {
  await badInputScenario(cluster);
});

test('Electron: the instance whose edit lost shows who won and why; Restore wins everywhere', async ({ cluster }) => {
  await conflictNoticeScenario(cluster);
});

test('Electron: an instance on a slow or lossy network falls behind, says so, and recovers by itself', async ({ cluster }) => {
  await slowNetworkScenario(cluster);
});

test('Electron: find in a long list: Ctrl+F finds todos far beyond the rows in view, under a filter, and writes nothing', async ({ cluster }) => {
  await findInListScenario(cluster);
});

test('Electron: Undo of a list’s delete brings back the same list on every instance, with every todo it hid', async ({ cluster }) => {
  await undoDeleteScenario(cluster);
});
