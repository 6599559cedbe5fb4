import { CONFLICT_SCREENSHOT, HISTORY_SCREENSHOT, conflictNoticeScenario } from '../scenarios/conflict-notice.ts';
import { test } from '../support/browser-fixtures.ts';

test('a concurrent edit is never lost silently: the instance that lost shows who won and why, the inspector keeps both, and Restore wins everywhere', async ({ cluster }, testInfo) => {
  // As converged.png: FIELDSYNC_UPDATE_SCREENSHOT=1 also replaces the README's pictures.
  const update = process.env.FIELDSYNC_UPDATE_SCREENSHOT === '1';
  await conflictNoticeScenario(cluster, {
    conflict: update ? CONFLICT_SCREENSHOT : testInfo.outputPath('conflict.png'),
    history: update ? HISTORY_SCREENSHOT : testInfo.outputPath('cell-history.png'),
  });
});
