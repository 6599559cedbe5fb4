/**
 * The app in narrow windows (round 64): three instances side by side on a 1366 or 1280 px
 * laptop (~450 and ~420 px each), and the same windows zoomed to 150% and 200% (a CSS viewport
 * of 300 and 225 px). At each size, with the sync drawer's details unfolded: no part of the
 * app scrolls sideways, and every control of the todo pane and the sync drawer lies within the
 * window's width, so that a mouse reaches it and a keyboard user sees what has the focus.
 */
import { expect, type Page } from '@playwright/test';
import { AppUi } from '../support/app-ui.ts';
import { test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 1 });

/** Laptop windows, and a 450 px window at 150% and 200% zoom. */
const SIZES = [
  { width: 450, height: 740 },
  { width: 420, height: 690 },
  { width: 300, height: 493 },
  { width: 225, height: 370 },
] as const;

/** What is wrong at this size: a part scrolling sideways, or a control beyond the window's edges. */
async function sidewaysProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const problems: string[] = [];
    for (const el of [document.documentElement, ...document.querySelectorAll<HTMLElement>('.app-body > *, .todo-tools, .sync-panel, .sync-controls, .network-control')]) {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`${el.className || el.tagName} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    const controls = document.querySelectorAll<HTMLElement>('#todo-pane button, #todo-pane input, .sync-panel button, .sync-panel select, .sync-panel .sync-state');
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.left < -0.5 || box.right > vw + 0.5) problems.push(`${el.getAttribute('aria-label') ?? el.textContent?.trim()} spans ${Math.round(box.left)}..${Math.round(box.right)} of ${vw}`);
    }
    return problems;
  });
}

test('narrow and zoomed windows: nothing scrolls sideways, every todo and sync control within the width', async ({ cluster }) => {
  const a = new AppUi(cluster.instances[0]!.page);
  const page = a.page;
  await a.addList('Groceries for the long weekend');
  for (const t of ['Milk', 'Bread', 'Eggs']) await a.addTodo(t);
  await a.toggleTodo('Eggs');
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const toggle = page.getByTestId('sync-details-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    await expect(page.getByRole('combobox', { name: 'Network' })).toBeVisible();
    expect(await sidewaysProblems(page), `at ${size.width}×${size.height}`).toEqual([]);
  }
});
