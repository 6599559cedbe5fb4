/**
 * The fork guide works: its worked example (docs/examples/notes.patch, a `notes` table and
 * its own view, the steps of docs/fork.md) is applied to a copy of the app, which must then
 * typecheck, pass the example's own test, and build; two instances of the fork then sync a
 * note through the real server, driven through the new view in Chromium.
 *
 * When a change to the template makes the patch stop applying, the guide has changed too:
 * apply the patch to a copy by hand (`git apply --3way`), fix what the guide now says, and
 * write the patch again from the copy (`git add -A && git diff --cached > notes.patch`).
 *
 * In a fork (another productName and appId: docs/fork.md, "Your app's name") whose own
 * schema or views the patch no longer fits, the test is skipped, saying so: the example was
 * written for the reference app, and a fork's own tests take its place. In the reference app
 * the patch must apply, and the test fails when it does not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { repoRoot } from '../../scripts/processes.ts';
import { startBrowserCluster } from '../support/browser-cluster.ts';
import { withCluster } from '../support/cluster-fixture.ts';
import { applyPatch, copyApp, isReferenceApp, patchProblem, run } from '../support/fork-copy.ts';

const PATCH = join(repoRoot, 'docs', 'examples', 'notes.patch');
/** docs/fork.md promises that a table with its own view takes at most this many files. */
const MAX_FILES = 5;

test.setTimeout(600_000);

test('the fork guide’s notes example applies, typechecks, builds, and its view syncs notes in Chromium', async ({ browser }, testInfo) => {
  const problem = patchProblem(repoRoot, PATCH);
  const identity = isReferenceApp();
  test.skip(
    problem !== null && !identity.reference,
    `${identity.productName} (appId ${identity.appId}) is a fork whose app has diverged from the reference app: docs/examples/notes.patch, the fork guide's worked example, no longer applies to it (${problem?.split('\n')[0] ?? ''}). Nothing is wrong with your app; delete this spec, e2e/support/fork-copy.ts and docs/examples/notes.patch if you do not keep the example up to date (docs/fork.md).`,
  );
  if (problem !== null) {
    throw new Error(
      `docs/examples/notes.patch does not apply to the reference app any more:\n${problem}\n` +
        'In the reference app: write the patch again (see the top of this file). ' +
        `In a fork still named ${identity.productName} (appId ${identity.appId}): give it its own name and appId first (docs/fork.md, "Your app's name"), and this test is skipped.`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'fieldsync-fork-'));
  try {
    const app = join(work, 'app');
    copyApp(app);
    const touched = applyPatch(app, PATCH);
    testInfo.annotations.push({ type: 'files touched', description: `${touched.length}: ${touched.join(', ')}` });
    expect(touched.length, touched.join('\n')).toBeLessThanOrEqual(MAX_FILES);
    run(app, 'npm', ['run', '--silent', 'typecheck']);
    run(app, 'npx', ['vitest', 'run', '--project', 'renderer', 'src/renderer/src/views/notes']);
    run(app, 'npm', ['run', '--silent', 'build']);

    await withCluster(
      'fork',
      (dir) => startBrowserCluster({ browser, count: 2, dir, rendererDir: join(app, 'out', 'renderer'), hostEntry: join(app, 'src', 'web-host', 'main.ts') }),
      async (cluster) => {
        const [a, b] = cluster.instances.map((i) => i.page) as [typeof cluster.instances[0]['page'], typeof cluster.instances[0]['page']];

        // The shell offers the new view beside the todos, by role and name.
        const views = a.getByRole('navigation', { name: 'Views' });
        await expect(views.getByRole('button')).toHaveText(['Todos', 'Notes']);
        await views.getByRole('button', { name: 'Notes' }).click();
        await expect(a.getByTestId('no-notes')).toBeVisible();

        const newNote = a.getByRole('textbox', { name: 'New note' });
        await newNote.fill('Trip ideas');
        await newNote.press('Enter');
        await expect(a.getByRole('heading', { level: 1, name: 'Trip ideas' })).toBeVisible();
        const body = a.getByRole('textbox', { name: 'Body' });
        await body.fill('Lisbon\nPorto');
        await body.press('ControlOrMeta+Enter');
        await expect(a.getByTestId('note-status')).toHaveText('Saved.');

        // The other instance has the note, with its body, through the server.
        await b.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Notes' }).click();
        await expect(b.getByTestId('note-nav').getByRole('listitem', { name: 'Trip ideas' })).toBeVisible({ timeout: 10_000 });
        await expect(b.getByRole('textbox', { name: 'Body' })).toHaveValue('Lisbon\nPorto', { timeout: 10_000 });

        // An edit there comes back here; the todo view still works beside it.
        await b.getByRole('textbox', { name: 'Body' }).fill('Lisbon\nPorto\nCoimbra');
        await b.getByRole('textbox', { name: 'Body' }).press('ControlOrMeta+Enter');
        await expect(body).toHaveValue('Lisbon\nPorto\nCoimbra', { timeout: 10_000 });
        await views.getByRole('button', { name: 'Todos' }).click();
        await expect(a.getByRole('navigation', { name: 'Lists' })).toBeVisible();
        await views.getByRole('button', { name: 'Notes' }).click();
        await expect(a.getByRole('heading', { level: 1, name: 'Trip ideas' })).toBeVisible();
        await a.screenshot({ path: testInfo.outputPath('notes-fork.png') });
      },
      testInfo,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
