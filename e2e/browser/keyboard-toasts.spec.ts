/**
 * Toasts from the keyboard alone, in Chromium, with its real styles and accessibility tree:
 * a todo deleted with Delete says so through the Notifications live region, and Ctrl/Cmd+Z
 * brings it back with the focus on it; a todo ticked offline on another instance and deleted
 * here meanwhile comes back there with the error toast's Restore, by its shortcut Alt+Shift+R.
 * Each toast's action is named after its row. In light and in dark colours, a focused toast button's
 * ring stands out from the toast (3:1, WCAG 2.4.11/1.4.11), and the focus never falls to <body>.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { AppUi } from '../support/app-ui.ts';
import { test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 2 });

/** The contrast of the focused element's outline against its toast's background (WCAG's formula). */
async function ringContrast(button: Locator): Promise<number> {
  return button.evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const ring = lum(getComputedStyle(el).outlineColor);
    const back = lum(getComputedStyle(el.closest('.toast') as Element).backgroundColor);
    return (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05);
  });
}

/** Focuses the button from the keyboard (so :focus-visible holds) and measures its ring in both colour schemes. */
async function expectVisibleRing(page: Page, button: Locator): Promise<void> {
  await button.focus();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await ringContrast(button), `${await button.textContent()} in ${colorScheme}`).toBeGreaterThanOrEqual(3);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const focusedName = (page: Page) => page.evaluate(() => (document.activeElement === document.body ? '<body>' : (document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '')));

test('toasts from the keyboard: said, closed and acted on with Enter or Escape, a visible focus, the focus kept on the page', async ({ cluster }) => {
  const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
  await a.addList('Trip');
  await a.addTodo('Passport');
  await a.addTodo('Tickets');
  await expect(b.list('Trip')).toBeVisible({ timeout: 15_000 });
  await b.openList('Trip');
  await b.expectSynced();
  await b.setOffline(true);
  await b.todo('Tickets').focus();
  await b.page.keyboard.press('Space');
  await expect(b.todo('Tickets')).toHaveAttribute('data-done', 'true');

  // A deletes Passport with Delete: said politely, the focus on Tickets; Escape closes the toast.
  await a.todo('Passport').focus();
  await a.page.keyboard.press('Delete');
  await expect(a.page.getByRole('status', { name: 'Notifications' })).toHaveText('Deleted “Passport”');
  await expect(a.todo('Tickets')).toBeFocused();
  const undo = a.page.getByTestId('toast-info').getByRole('button', { name: 'Undo delete of “Passport”', exact: true });
  await expectVisibleRing(a.page, undo);
  await expectVisibleRing(a.page, a.page.getByRole('button', { name: 'Dismiss notification' }));
  await a.page.keyboard.press('Escape');
  await expect(a.page.getByTestId('toast-info')).toHaveCount(0);
  await expect(a.todo('Tickets')).toBeFocused();

  // Ctrl/Cmd+Z on Tickets (the toast has gone): Passport comes back, with the focus on it.
  await a.page.keyboard.press('ControlOrMeta+z');
  await expect(a.todo('Passport')).toBeFocused();
  await a.todo('Tickets').focus();

  // A deletes Tickets, which B ticked offline: B hears of it at once, and Restore (Alt+Shift+R) brings it back ticked.
  await a.page.keyboard.press('Delete');
  await expect(a.todo('Passport')).toBeFocused();
  await a.expectSynced();
  await b.setOffline(false);
  const toast = b.page.getByTestId('toast-error');
  await expect(toast).toContainText('“Tickets” was deleted on web-1', { timeout: 15_000 });
  await expect(b.page.getByTestId('error-announcer')).toContainText('“Tickets” was deleted on web-1');
  const restore = toast.getByRole('button', { name: 'Restore “Tickets”', exact: true });
  await expect(restore).toHaveAttribute('aria-keyshortcuts', 'Alt+Shift+R');
  await expectVisibleRing(b.page, restore);
  await b.page.keyboard.press('Alt+Shift+R');
  await expect(b.todo('Tickets')).toHaveAttribute('data-done', 'true');
  await expect(toast).toHaveCount(0);
  expect(await focusedName(b.page)).not.toBe('<body>');
  await expect(a.todo('Tickets')).toHaveAttribute('data-done', 'true', { timeout: 15_000 });
});
