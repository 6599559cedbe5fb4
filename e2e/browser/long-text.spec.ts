/**
 * Long text at wide widths (round 67). reflow.css wraps what the wide layout cut to an
 * ellipsis, but only at 460 px and under: above it a long list name, todo title, device name
 * or inspector value showed its start and "…", and the inspector's value was cut to 60
 * characters in code besides. The rest was out of every reader's reach (a title shows to a
 * pointer alone, never to a keyboard or a screen reader).
 *
 * At 1200, 800 and 460 px wide, the drawer unfolded and the inspector open (on all messages,
 * then on a todo's title history), each long string the user typed — 200 characters with no
 * space, a 200-character sentence, a 60-character device name — is, wherever it shows:
 * - wholly there, and wholly inside every box that clips it (scrolling down reaches it; a
 *   box cutting it sideways or to an ellipsis does not count as reaching it); or
 * - cut, but with its full text in a title (pointer) AND in the accessible name of a focusable
 *   element holding it (keyboard, screen reader).
 *
 * Round 68 adds the sync facts (profile, device, client id, server URL, status and its detail),
 * as they are and 200 characters long, and a conflict notice's two long titles (the lost one
 * whole, the one that won after "Show all"), at the same widths and by the same rule.
 */
import { expect, type Page } from '@playwright/test';
import { UNSURE_MS } from '../../src/main/core/conflict-judge.ts';
import { AppUi } from '../support/app-ui.ts';
import { test } from '../support/browser-fixtures.ts';
import { resize } from '../support/target-measure.ts';

const WIDTHS = [1200, 800, 460] as const;

const LONG_LIST = `Lst${'abcdefghij'.repeat(9)}ENDLST`; // a list name's most is 100
const LONG_TODO = `Tdo${'klmnopqrst'.repeat(19)}ENDTODO`;
const WORDY_TODO = `Words ${'pick up the oat milk and the rye bread on the way '.repeat(4)}ENDWORDS`;
const DEVICE = `Dev${'uvwxyz'.repeat(8)}ENDDEV`;
// Round 68: the sync facts, as long as a fork's or a company's can be (a profile named by a
// path, a server behind a long address), one word each, set into the app's own elements.
const FACTS = {
  'sync-profile': `Prf${'profilename'.repeat(18)}ENDPRF`,
  'sync-client-id': `Cli${'ABCDEFGHIJKLMNOP'.repeat(12)}ENDCLI`,
  'sync-server': `https://sync.${'example-'.repeat(12)}corp.test/fieldsync/${'0123456789abcdef'.repeat(6)}/ENDSRV`,
  'sync-state': `Sts${'Cantreachtheserver'.repeat(10)}ENDSTS`,
} as const;
// A conflict's two titles: one under the notice's fold (shown whole), one over it (Show all).
const LOST = `Lost ${'the oat milk from the shop on the corner '.repeat(6)}ENDLOST`;
const KEPT = `Kept${'abcdefghijklmnopqrstuvwxyz'.repeat(17)}ENDKEPT`;

/** Where `full` shows only in part, or cut by a box, with no way for every reader to its end. */
async function unreadable(page: Page, full: string): Promise<string[]> {
  return page.evaluate((full) => {
    const problems: string[] = [];
    const start = full.slice(0, 12);
    const where = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
    const focusable = (el: Element) => el.matches('a[href], button, input, select, textarea, [tabindex]');
    // The full text to pointer (a title on it or around it) and to keyboard and screen reader
    // (the accessible name of a focusable element holding it).
    const reachable = (owner: Element) => {
      let title = false;
      let named = false;
      for (let up: Element | null = owner; up && up !== document.body; up = up.parentElement) {
        if (up.getAttribute('title')?.includes(full)) title = true;
        if (focusable(up) && (up.getAttribute('aria-label') ?? '').includes(full)) named = true;
      }
      return title && named;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const owner = n.parentElement!;
      const text = n.textContent!;
      if (!text.includes(start) || !owner.checkVisibility() || owner.closest('[aria-hidden="true"], .visually-hidden, .sr-only')) continue;
      seen++;
      const at = `“${text.slice(0, 16)}…” in ${where(owner)}`;
      let cut = text.includes(full) ? '' : `only ${text.length} of ${full.length} characters shown`;
      const range = document.createRange();
      range.selectNodeContents(n);
      const lines = [...range.getClientRects()].filter((r) => r.width >= 1);
      for (let up: Element | null = owner; up && up !== document.body && !cut; up = up.parentElement) {
        const st = getComputedStyle(up);
        if (st.textOverflow === 'ellipsis' && up.scrollWidth > up.clientWidth + 1) {
          cut = `cut to an ellipsis by ${where(up)}`;
          break;
        }
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        const box = up.getBoundingClientRect();
        const scrollsDown = /auto|scroll/.test(st.overflowY);
        for (const line of lines) {
          if (line.left < box.left - 1 || line.right > box.right + 1) cut = `cut sideways by ${where(up)} (${Math.round(line.left)}..${Math.round(line.right)} in ${Math.round(box.left)}..${Math.round(box.right)})`;
          else if (!scrollsDown && (line.top < box.top - 2 || line.bottom > box.bottom + 2)) cut = `cut below by ${where(up)}`;
          if (cut) break;
        }
      }
      if (!cut && document.scrollingElement!.scrollWidth > document.documentElement.clientWidth + 1) cut = 'the page scrolls sideways';
      if (cut && !reachable(owner)) problems.push(`${at}: ${cut}, and no title with an accessible name holds the rest`);
    }
    if (seen === 0) problems.push(`“${start}…” not shown at all`);
    return problems;
  }, full);
}

test.describe('long text at wide widths', () => {
  test.use({ instanceCount: 1 });

  test('a 200-character word, a 200-character sentence and a long device name are fully readable at 1200, 800 and 460 px', async ({ cluster }) => {
    test.setTimeout(180_000);
    const a = new AppUi(cluster.instances[0]!.page);
    const page = a.page;
    await page.setViewportSize({ width: 1200, height: 800 });
    // Not AppUi's helpers: they find a row by its accessible name, which is cut at 100 characters.
    const newList = page.getByRole('textbox', { name: 'New list' });
    await newList.fill(LONG_LIST);
    await newList.press('Enter');
    await expect(a.sidebar.getByTestId('list-item')).toHaveCount(1);
    await a.sidebar.locator('.list-name').click({ position: { x: 3, y: 3 } });
    await expect(page.getByTestId('list-heading')).toHaveText(LONG_LIST);
    const newTodo = page.getByRole('textbox', { name: 'New todo' });
    for (const title of [LONG_TODO, WORDY_TODO]) {
      await newTodo.fill(title);
      await newTodo.press('Enter');
      await expect(a.todoList.getByTestId('todo-title').filter({ hasText: title })).toHaveCount(1);
    }
    const toggle = page.getByTestId('sync-details-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    await page.getByRole('button', { name: 'Rename this device' }).click();
    await page.getByRole('textbox', { name: 'Device name' }).fill(DEVICE);
    await page.getByRole('textbox', { name: 'Device name' }).press('Enter');
    await expect(page.getByTestId('sync-device')).toContainText(DEVICE);
    await newTodo.fill('Eggs'); // a write by the new device name
    await newTodo.press('Enter');
    await expect(a.todoList.getByTestId('todo-title').filter({ hasText: /^Eggs$/ })).toHaveCount(1);
    await a.expectSynced();
    const inspector = page.getByTestId('inspector-toggle');
    if ((await inspector.getAttribute('aria-expanded')) === 'false') await inspector.click();
    await expect(page.getByTestId('inspector-row').first()).toBeVisible();

    const problems: string[] = [];
    for (const width of WIDTHS) {
      await resize(page, { width, height: 800 });
      if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
      await expect(toggle).toHaveAttribute('aria-expanded', 'true');
      for (const view of ['all messages', 'a title’s history'] as const) {
        if (view === 'a title’s history') {
          const history = page.getByRole('button', { name: `History of title of todo “${LONG_TODO}”`, exact: true }).first();
          await history.scrollIntoViewIfNeeded();
          await history.click();
          await expect(page.getByTestId('inspector-filter')).toBeVisible();
        }
        for (const text of [LONG_LIST, LONG_TODO, WORDY_TODO, DEVICE]) problems.push(...(await unreadable(page, text)).map((p) => `at ${width} px, ${view}: ${p}`));
      }
      await page.getByRole('button', { name: 'All messages' }).click();
      await expect(page.getByTestId('inspector-filter')).toBeHidden();
    }
    expect(problems).toEqual([]);
  });
  test('the profile, device, client id, server URL and sync status are readable at 1200, 800 and 460 px, as they are and when long', async ({ cluster }) => {
    test.setTimeout(120_000);
    const a = new AppUi(cluster.instances[0]!.page);
    const page = a.page;
    await a.expectSynced();
    // Offline: a steady status ("Working offline") with its longer detail below it.
    await a.setOffline(true);
    await expect(page.getByTestId('sync-detail')).toBeVisible();
    const toggle = page.getByTestId('sync-details-toggle');
    const facts = ['sync-profile', 'sync-device', 'sync-client-id', 'sync-server', 'sync-state', 'sync-detail'];
    const problems: string[] = [];
    for (const long of [false, true]) {
      if (long) {
        // Into the elements React rendered: it leaves a text node alone while its value is unchanged.
        await page.evaluate((facts) => {
          for (const [id, text] of Object.entries(facts)) document.querySelector(`[data-testid="${id}"]`)!.textContent = text;
        }, FACTS);
      }
      for (const width of WIDTHS) {
        await resize(page, { width, height: 800 });
        if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
        await expect(toggle).toHaveAttribute('aria-expanded', 'true');
        const texts = long ? Object.values(FACTS) : await Promise.all(facts.map(async (id) => (await page.getByTestId(id).textContent())!.trim()));
        if (!long) expect(texts.every((t) => t.length > 0 && t !== '…')).toBe(true);
        for (const text of texts) problems.push(...(await unreadable(page, text)).map((p) => `at ${width} px${long ? ', long' : ''}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  test.describe('a conflict notice', () => {
    test.use({ instanceCount: 2 });

    test('shows both long titles whole at 1200, 800 and 460 px: the lost one wrapping, the one that won after Show all', async ({ cluster }) => {
      test.setTimeout(180_000);
      const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
      await a.addList('Groceries');
      await a.addTodo('Milk');
      await b.openList('Groceries');
      await b.expectTodos('Groceries', [{ title: 'Milk', done: false }]);
      await b.expectSynced();
      await b.setOffline(true);
      await a.renameTodo('Milk', LOST); // earlier: loses
      await b.renameTodo('Milk', KEPT);
      await a.expectSynced();
      await b.page.waitForTimeout(UNSURE_MS + 500); // B's edit arrives late: A can tell B had not seen A's
      await b.setOffline(false);
      await b.expectSynced();
      const page = a.page;
      const notice = a.replacedNotice(KEPT);
      await expect(notice).toBeVisible({ timeout: 10_000 });
      const showAll = notice.getByRole('button', { name: `Show all ${KEPT.length} characters of the title that won` });
      await showAll.click(); // and the focus on it holds the notice while it is read
      await expect(notice.getByRole('button', { name: 'Show less of the title that won' })).toHaveAttribute('aria-expanded', 'true');
      await expect(notice.getByRole('region', { name: 'the title that won, whole' })).toHaveText(`“${KEPT}”`);
      await expect(notice.locator('.notice-old')).toHaveText(LOST);

      const problems: string[] = [];
      for (const width of WIDTHS) {
        await resize(page, { width, height: 800 });
        await expect(notice).toBeVisible();
        await notice.scrollIntoViewIfNeeded();
        for (const text of [LOST, KEPT]) problems.push(...(await unreadable(page, text)).map((p) => `at ${width} px: ${p}`));
      }
      expect(problems).toEqual([]);
    });
  });
});
