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
import { UNSURE_MS } from '../../src/main/core/conflict-judge.ts';


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
    // The sync state whole: never cut to "S…".
    const state = document.querySelector<HTMLElement>('[data-testid="sync-state"]');
    if (state && state.scrollWidth > state.clientWidth) problems.push(`the sync state is cut: ${state.scrollWidth} > ${state.clientWidth}`);
    return problems;
  });
}

test.describe('one instance', () => {
test.use({ instanceCount: 1 });
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
    // A todo's title keeps a readable width beside its buttons, not one letter a line.
    const narrowest = await page.getByTestId('todo-item').evaluateAll((rows) =>
      Math.min(...rows.map((row) => (row.querySelector('[data-testid="todo-title"]') as HTMLElement).offsetWidth / (row as HTMLElement).offsetWidth)),
    );
    expect(narrowest, `a title's share of its row at ${size.width}×${size.height}`).toBeGreaterThanOrEqual(0.35);
  }

  // At 200%, a toast about a long todo: wholly in the window, its words on lines of some width
  // (its buttons under them when the two do not fit side by side), not three letters a line.
  const long = 'Bread with a rather long name that goes on and on and on';
  await a.addTodo(long);
  await a.deleteTodo(long);
  const toast = page.locator('.toast').filter({ hasText: 'Deleted' });
  await expect(toast).toBeVisible();
  const [box, message] = [(await toast.boundingBox())!, (await toast.locator('.toast-message').boundingBox())!];
  expect(box.y, 'the toast’s top').toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, 'the toast’s bottom').toBeLessThanOrEqual(370);
  expect(message.width, `the message's width in a toast of ${box.width} px`).toBeGreaterThanOrEqual(box.width * 0.6);
});

  /**
   * A window zoomed in after the start (or tiled smaller): the drawer folds, as it starts in a
   * short window, so that the todos keep the room; but not with the focus in it, which folding
   * would hide (and drop on <body>).
   */
  test('zoomed after the start: the drawer folds for the todos, but not under the focus', async ({ cluster }) => {
    const a = new AppUi(cluster.instances[0]!.page);
    const page = a.page;
    const toggle = page.getByTestId('sync-details-toggle');
    await a.addList('Groceries');
    await a.addTodo('Milk');
    const unfolded = { width: 640, height: 860 };
    await page.setViewportSize(unfolded);
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');

    // The focus in the drawer's details: it stays unfolded, the focus where it was.
    const network = page.getByRole('combobox', { name: 'Network' });
    await network.focus();
    await page.setViewportSize({ width: 420, height: 690 });
    await expect(network).toBeFocused();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');

    // The focus in the todos: zoomed to 200%, the drawer folds and the pane gets the room.
    await page.setViewportSize(unfolded);
    await page.getByRole('textbox', { name: 'New todo' }).focus();
    await page.setViewportSize({ width: 225, height: 370 });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('combobox', { name: 'Network' })).toBeHidden();
    await expect(page.getByRole('textbox', { name: 'New todo' })).toBeFocused();
    const pane = (await page.locator('#todo-pane').boundingBox())!;
    const drawer = (await page.getByRole('complementary', { name: 'Sync and messages' }).boundingBox())!;
    expect(pane.height, `the todo pane beside a drawer of ${drawer.height} px`).toBeGreaterThanOrEqual(0.4 * 370);
    // Details shows what the fold keeps out of the way, the switches too.
    await toggle.click();
    await a.offlineSwitch.scrollIntoViewIfNeeded();
    await expect(a.offlineSwitch).toBeInViewport({ ratio: 1 });
    expect(await sidewaysProblems(page)).toEqual([]);
  });
});

test.describe('two instances', () => {
  test.use({ instanceCount: 2 });

  /**
   * A 420 px laptop window, where the sync drawer starts folded: a replaced value's notice is
   * readable and its buttons within the width, and its History button, pressed from the
   * keyboard, shows the field's history (in the drawer, which unfolds), the focus kept.
   */
  test('a conflict notice in a 420 px window: readable, and its History shows the history', async ({ cluster }) => {
    const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
    await a.addList('Groceries');
    for (const t of ['Milk', 'Bread']) await a.addTodo(t);
    await b.openList('Groceries');
    await b.expectTodos('Groceries', [{ title: 'Milk', done: false }, { title: 'Bread', done: false }]);
    // As npm start's window on a 1280×720 laptop: the drawer starts folded there.
    await a.page.setViewportSize({ width: 420, height: 690 });
    await a.page.reload();
    await a.ready(cluster.instances[0]!.profile);
    await expect(a.page.getByTestId('sync-details-toggle')).toHaveAttribute('aria-expanded', 'false');

    await b.expectSynced();
    await b.setOffline(true);
    await a.renameTodo('Milk', 'Oat milk from the shop on the corner');
    await b.renameTodo('Milk', 'Whole milk from the farm down the road');
    await a.expectSynced();
    await b.page.waitForTimeout(UNSURE_MS + 500); // B's edit arrives late: A can tell B had not seen A's
    await b.setOffline(false);
    await b.expectSynced();
    const notice = a.replacedNotice('Whole milk from the farm down the road');
    await expect(notice).toBeVisible({ timeout: 10_000 });
    await notice.hover(); // it stays while pointed at
    await notice.scrollIntoViewIfNeeded();
    await expect(notice).toBeInViewport({ ratio: 1 });
    expect(await sidewaysProblems(a.page)).toEqual([]);

    const history = notice.getByRole('button', { name: 'History of title' });
    await history.focus();
    await a.page.keyboard.press('Enter');
    const list = a.page.getByRole('list', { name: 'History of title of todo “Whole milk from the farm down the road”' });
    await expect(list.getByTestId('inspector-row')).toHaveCount(3);
    await expect(list).toBeInViewport();
    await expect(a.page.getByTestId('sync-details-toggle')).toHaveAttribute('aria-expanded', 'true');
    expect(await a.page.evaluate(() => document.activeElement === document.body)).toBe(false);
  });
});
