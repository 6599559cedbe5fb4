/**
 * `npm run start:web -- --instances 3` gives one link that shows every instance side by side:
 * the viewer opens with its own one-time link, frames each instance (each signed in with a
 * fresh one-time link of its own, its page talking only to its own host), and each frame is
 * the whole app: an edit in one shows up in the others. Saves the picture of the one screen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runStartWeb } from '../support/start-web-run.ts';

const ONE_SCREEN_SCREENSHOT = join(import.meta.dirname, '..', 'screenshots', 'one-screen.png');

test('start:web shows every instance on one screen, each isolated and working, from one link', async ({ browser }, testInfo) => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsync-one-screen-'));
  const run = await runStartWeb(dir, 3);
  const context = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(run.viewerUrl);
    const viewer = new URL(run.viewerUrl).origin;
    await expect(page).toHaveURL(`${viewer}/`); // the one-time code left the address bar
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('3 instances of one user, side by side');
    expect(await page.content()).not.toMatch(/code=/); // the page hands out no sign-in link

    const names = ['web-1', 'web-2', 'web-3'];
    await expect(page.locator('iframe')).toHaveCount(3);
    const frames = names.map((name) => page.frameLocator(`iframe[title="Fieldsync instance ${name}"]`));
    for (const [i, frame] of frames.entries()) {
      await expect(page.getByRole('heading', { level: 2, name: names[i] })).toBeVisible();
      await expect(frame.getByTestId('sync-profile')).toHaveText(names[i] as string, { timeout: 15_000 });
    }

    // Each works, and they converge: a list from the first, a todo from the third.
    const [first, second, third] = frames as [typeof frames[0], typeof frames[0], typeof frames[0]];
    await first.getByRole('textbox', { name: 'New list' }).fill('Weekend');
    await first.getByRole('textbox', { name: 'New list' }).press('Enter');
    for (const frame of [second, third]) await expect(frame.getByTestId('list-nav').getByRole('listitem', { name: 'Weekend', exact: true })).toBeVisible({ timeout: 5_000 });
    await third.getByRole('textbox', { name: 'New todo' }).fill('Pack the tent');
    await third.getByRole('textbox', { name: 'New todo' }).press('Enter');
    for (const frame of [first, second]) await expect(frame.getByTestId('todo-list').getByRole('listitem', { name: 'Pack the tent', exact: true })).toBeVisible({ timeout: 5_000 });
    // Each frame is its own instance: its own client.
    const clients = await Promise.all(frames.map((f) => f.getByTestId('sync-client-id').textContent()));
    expect(new Set(clients).size).toBe(3);

    // On a laptop's screen too, every frame shows the open list's todos (the sync drawer
    // starts folded in a short frame, and the stacked sidebar leaves them room).
    for (const size of [{ width: 1366, height: 768 }, { width: 1280, height: 720 }]) {
      await page.setViewportSize(size);
      for (const frame of frames) await expect(frame.getByTestId('todo-list').getByRole('listitem', { name: 'Pack the tent', exact: true })).toBeInViewport();
    }
    await page.setViewportSize({ width: 1500, height: 900 });

    // Another browser (no cookie of the viewer) gets nothing from it, and the used link is spent.
    const other = await browser.newContext();
    const refused = await (await other.newPage()).goto(run.viewerUrl);
    expect(refused?.status()).toBe(403);
    await other.close();

    await page.mouse.move(0, 0);
    const shot = process.env.FIELDSYNC_UPDATE_SCREENSHOT === '1' ? ONE_SCREEN_SCREENSHOT : testInfo.outputPath('one-screen.png');
    await page.screenshot({ path: shot });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    const code = await run.stop();
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('start-web.log', { body: run.logs(), contentType: 'text/plain' });
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  }
});
