/**
 * The app from the keyboard alone, as a screen reader user meets it, in Chromium with its real
 * styles and accessibility tree (round 63): a list and its todos added, ticked, renamed and
 * deleted with keys only; one Tab round of the page in a sensible order (skip link, lists,
 * the open list, the sync column), every stop named and ringed visibly in light and dark
 * colours; "Sync now" and "Work offline" answered through the Sync status live region, the
 * focus left where it was; done shown by more than colour; the focus never on <body>.
 */
import { expect, type Page } from '@playwright/test';
import { AppUi } from '../support/app-ui.ts';
import { test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 1 });

interface Stop {
  readonly where: string;
  readonly name: string;
  readonly ring: string;
}

/** Where the focused element is (its landmark), its name, and what is wrong with its ring ('' when none). */
async function focusedStop(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    if (el === document.body) return { where: '<body>', name: '', ring: '' };
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const style = getComputedStyle(el);
    const ring = lum(style.outlineColor);
    // Against what is behind it: the nearest ancestor with a background of its own.
    let behind: Element | null = el.parentElement;
    while (behind && behind !== document.body && (/rgba\(.*, 0\)$|transparent/.test(getComputedStyle(behind).backgroundColor))) behind = behind.parentElement;
    const page = lum(getComputedStyle(behind ?? document.body).backgroundColor);
    const contrast = (Math.max(ring, page) + 0.05) / (Math.min(ring, page) + 0.05);
    const problems = [
      ...(el.matches(':focus-visible') ? [] : ['not :focus-visible']),
      ...(style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2 ? [`outline ${style.outlineStyle} ${style.outlineWidth}`] : []),
      ...(contrast < 3 ? [`ring contrast ${contrast.toFixed(2)}`] : []),
    ];
    const landmark = el.closest('nav, main, aside, header, [role="region"]:not(aside *)');
    const where = el.matches('a[href^="#"]') ? 'skip' : (landmark?.tagName.toLowerCase() ?? 'page');
    const labelled = el.getAttribute('aria-labelledby');
    const name = el.getAttribute('aria-label') ?? (labelled ? document.getElementById(labelled)?.textContent : null) ?? ((el as HTMLInputElement).labels?.[0]?.textContent || el.textContent || el.getAttribute('title') || '');
    return { where, name: name.trim(), ring: problems.join(', ') };
  });
}

test('the app from the keyboard alone: every action by keys, a sensible Tab order, named and ringed stops, sync said', async ({ cluster }) => {
  const a = new AppUi(cluster.instances[0]!.page);
  const page = a.page;
  const focused = () => focusedStop(page);
  const status = page.getByRole('status', { name: 'Sync status' });

  // A list and three todos, typed and entered; the focus stays in the field for the next one.
  await page.getByRole('textbox', { name: 'New list' }).focus();
  await page.keyboard.type('Trip');
  await page.keyboard.press('Enter');
  await expect(a.list('Trip')).toBeVisible();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'New todo' })).toBeFocused();
  for (const title of ['Passport', 'Tickets', 'Bag']) {
    await page.keyboard.type(title);
    await page.keyboard.press('Enter');
    await expect(a.todo(title)).toBeVisible();
  }
  await a.expectSynced();

  // Space ticks a row: its checkbox says so, and the title is struck through, not only greyed.
  await a.todo('Tickets').focus();
  await page.keyboard.press('Space');
  await expect(a.todoList.getByRole('checkbox', { name: 'Tickets' })).toBeChecked();
  await expect(a.todo('Tickets').getByTestId('todo-title')).toHaveCSS('text-decoration-line', 'line-through');
  // F2 renames, Enter saves, the focus back on the row; Delete deletes, the focus to the next row.
  await page.keyboard.press('F2');
  await expect(page.getByRole('textbox', { name: 'Rename “Tickets”' })).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type(' x2');
  await page.keyboard.press('Enter');
  await expect(a.todo('Tickets x2')).toBeFocused();
  await page.keyboard.press('Delete');
  await expect(a.todo('Tickets x2')).toHaveCount(0);
  await expect(a.todo('Bag')).toBeFocused();
  await expect(page.getByRole('status', { name: 'Notifications' })).toHaveText('Deleted “Tickets x2”');
  await page.getByRole('button', { name: 'Dismiss notification: Deleted “Tickets x2”' }).focus();
  await page.keyboard.press('Enter'); // the toast closes, the focus back in the list
  await expect(page.getByTestId('toast-info')).toHaveCount(0);
  await expect(a.todo('Bag')).toBeFocused();

  // One Tab round of the page, in light and in dark colours.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // To the end of the page's round (the focus leaves the page), so the next Tab starts it.
    for (let i = 0; i < 60 && (await focused()).where !== '<body>'; i++) await page.keyboard.press('Tab');
    const stops: Stop[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const stop = await focused();
      if (stop.where === '<body>') break;
      stops.push(stop);
    }
    expect(stops.length, 'Tab stops before the round ends').toBeGreaterThan(15);
    expect(stops.filter((s) => s.name === ''), `unnamed stops in ${colorScheme}`).toEqual([]);
    expect(stops.filter((s) => s.ring !== '').map((s) => `${s.name}: ${s.ring}`), `stops without a visible ring in ${colorScheme}`).toEqual([]);
    // Regions in reading order, each visited in one go: skip link, lists, the open list, the sync column.
    const regions = stops.map((s) => s.where).filter((w, i, all) => w !== all[i - 1]);
    expect(regions, colorScheme).toEqual(['skip', 'nav', 'main', 'aside']);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // Sync now, by Enter, answered each time though the state stays Synced; the focus stays on it.
  const syncNow = page.getByRole('button', { name: 'Sync now' });
  await syncNow.focus();
  await page.keyboard.press('Enter');
  await expect(status).toHaveText('Synced');
  const first = await status.textContent();
  await page.keyboard.press('Enter');
  await expect.poll(() => status.textContent(), { message: 'the region changes to be said again' }).not.toBe(first);
  await expect(syncNow).toBeFocused();

  // Work offline, by Space: said; Sync now says why it does nothing; back online: said.
  await page.keyboard.press('Tab');
  await expect(a.offlineSwitch).toBeFocused();
  await page.keyboard.press('Space');
  await expect(a.offlineSwitch).toHaveAttribute('aria-checked', 'true');
  await expect(status).toHaveText('Working offline');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(status).toHaveText('Working offline: turn off “Work offline” to sync.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(status).toHaveText('Synced');
  await expect(a.offlineSwitch).toBeFocused();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
