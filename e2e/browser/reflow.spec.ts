/**
 * Reflow (round 66): WCAG 2.1 SC 1.4.10 asks that content and function stay available without
 * scrolling in two directions at a width of 320 CSS px (a 1280 px window at 400% zoom), and a
 * height of 256 for content that scrolls sideways. Here 320 × 256, and a 300 px window (a
 * 450 px one at 150%, narrow-windows.spec.ts's width) at its height and at 256.
 *
 * At each size, the drawer folded and unfolded, the inspector opened on a row's History:
 * - the page never scrolls sideways, and no scroll container does either;
 * - every control, scrolled to (as a keyboard's Tab or a wheel would), lies in the window, is
 *   what a click on its middle hits, and meets the 24 × 24 bar of target-sizes.spec.ts;
 * - no text is cut by a box too small for it (beyond an ellipsis the element's full name
 *   repeats), nor lies under a control that is not its own.
 *
 * Its set-up is any view's (round 68): rows of the schema's first table and of the table under
 * it, written through the page's API in the schema's words (support/first-rows.ts) and opened
 * from the sidebar, so that a fork that replaces the todos keeps this spec as it is.
 */
import { expect, type Page } from '@playwright/test';
import { AppUi } from '../support/app-ui.ts';
import { addFirst, addRow, openFirst, renameRow, ROWS, setFlag } from '../support/first-rows.ts';
import { test } from '../support/browser-fixtures.ts';
import { resize, targetProblems } from '../support/target-measure.ts';

const SIZES = [
  { width: 320, height: 256 },
  { width: 300, height: 493 },
  { width: 300, height: 256 },
] as const;

const CONTROLS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="checkbox"], [role="switch"], [role="tab"]';

/** The page or a part scrolling sideways. */
async function sideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
      if (!el.checkVisibility()) continue;
      const x = getComputedStyle(el).overflowX;
      if ((x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1) problems.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return problems;
  });
}

/**
 * Each control scrolled into view: out of the window, covered, or its box under 24 px. Then
 * text cut by its box, or lying under a control that does not hold it.
 */
async function reachProblems(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const name = (el: Element) => (el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '').slice(0, 40) || `${el.tagName.toLowerCase()}.${el.className}`;
    const controls = [...document.querySelectorAll<HTMLElement>(selector)].filter((el) => el.checkVisibility() && !el.closest('[inert], [aria-hidden="true"]') && el.getBoundingClientRect().width > 0);
    for (const el of controls) {
      // Focused first, as Tab would: a skip link shows only then.
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const r = el.getBoundingClientRect();
      if (r.left < -0.5 || r.right > vw + 0.5 || r.top < -0.5 || r.bottom > vh + 0.5) {
        problems.push(`${name(el)} scrolled to spans ${Math.round(r.left)}..${Math.round(r.right)} × ${Math.round(r.top)}..${Math.round(r.bottom)} of ${vw} × ${vh}`);
        continue;
      }
      const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      const label = el instanceof HTMLInputElement && [...(el.labels ?? [])].some((l) => hit && l.contains(hit));
      if (!hit || (!el.contains(hit) && !hit.contains(el) && !label)) problems.push(`${name(el)}: its middle hits ${hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing'}`);
    }
    (document.activeElement as HTMLElement | null)?.blur();
    // Text: each visible text node's lines, against its clipping ancestors and the controls.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const owner = n.parentElement!;
      if (!n.textContent!.trim() || !owner.checkVisibility() || owner.closest('[inert], [aria-hidden="true"], .visually-hidden, .sr-only')) continue;
      // Cut to an ellipsis: the rest is gone for one who reads the screen (a title shows to a
      // pointer alone), so at these widths the text wraps instead.
      let ellipsis: HTMLElement | null = owner;
      while (ellipsis && getComputedStyle(ellipsis).textOverflow !== 'ellipsis') ellipsis = ellipsis.parentElement;
      if (ellipsis && ellipsis.scrollWidth > ellipsis.clientWidth + 1) {
        problems.push(`“${n.textContent!.trim().slice(0, 30)}” cut to an ellipsis by ${ellipsis.tagName.toLowerCase()}.${ellipsis.className}`);
        continue;
      }
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const line of range.getClientRects()) {
        if (line.width < 1) continue;
        // What the pointer sees of the line: cut to the window and to its scrolling ancestors.
        let seen = { left: Math.max(0, line.left), top: Math.max(0, line.top), right: Math.min(vw, line.right), bottom: Math.min(vh, line.bottom) };
        let cutBy = '';
        for (let up = owner; up && up !== document.body; up = up.parentElement!) {
          const st = getComputedStyle(up);
          if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
          const c = up.getBoundingClientRect();
          if (!/auto|scroll/.test(st.overflowX + st.overflowY) && !cutBy && (line.left < c.left - 1 || line.right > c.right + 1 || line.top < c.top - 2 || line.bottom > c.bottom + 2)) cutBy = `${up.tagName.toLowerCase()}.${up.className}`;
          seen = { left: Math.max(seen.left, c.left), top: Math.max(seen.top, c.top), right: Math.min(seen.right, c.right), bottom: Math.min(seen.bottom, c.bottom) };
        }
        if (cutBy) problems.push(`“${n.textContent!.trim().slice(0, 30)}” cut by ${cutBy}`);
        if (seen.right - seen.left < 2 || seen.bottom - seen.top < 2) continue; // scrolled away
        // A control lying over the line: what a pointer at its middle hits is not the text's.
        const hit = document.elementFromPoint((seen.left + seen.right) / 2, (seen.top + seen.bottom) / 2);
        if (hit && !hit.contains(owner) && !owner.contains(hit) && hit.closest(selector)) problems.push(`“${n.textContent!.trim().slice(0, 30)}” lies under ${name(hit.closest(selector)!)}`);
      }
    }
    return [...new Set(problems)];
  }, CONTROLS);
}

/** Every scroll container stepped through: each target as it stands at each step. */
async function targetsScrolled(page: Page): Promise<string[]> {
  const problems = new Set<string>();
  const scrollers = await page.evaluate(() => {
    const all = [document.scrollingElement!, ...document.body.querySelectorAll('*')];
    const ids: number[] = [];
    all.forEach((el, i) => {
      const y = el === document.scrollingElement ? 'auto' : getComputedStyle(el).overflowY;
      if ((y === 'auto' || y === 'scroll') && el.scrollHeight > el.clientHeight + 1 && el.checkVisibility()) ids.push(i);
    });
    return ids;
  });
  for (const id of scrollers) {
    for (let step = 0; step < 40; step++) {
      for (const p of await targetProblems(page, true)) problems.add(p);
      const more = await page.evaluate(({ id, step }) => {
        const el = [document.scrollingElement!, ...document.body.querySelectorAll('*')][id]!;
        el.scrollTop = (step + 1) * Math.max(40, el.clientHeight / 2);
        return el.scrollTop < el.scrollHeight - el.clientHeight && el.scrollTop > 0 ? true : el.scrollTop > 0 && step === 0;
      }, { id, step });
      if (!more) {
        for (const p of await targetProblems(page, true)) problems.add(p);
        break;
      }
    }
  }
  return [...problems];
}

test.describe('reflow', () => {
  test.use({ instanceCount: 1 });

  test('at 320 and 300 px wide: nothing scrolls sideways, every control reached at 24 × 24, no text cut or covered, drawer and inspector usable', async ({ cluster }) => {
    test.setTimeout(240_000);
    const a = new AppUi(cluster.instances[0]!.page);
    const page = a.page;
    const groceries = await addFirst(page, 'Groceries for the long weekend');
    await addFirst(page, 'Hardware');
    await openFirst(page, 'Groceries for the long weekend');
    const rows = [];
    for (const t of ['Milk', 'Bread with a rather long name that goes on', 'Eggs']) rows.push(await addRow(page, groceries, t));
    await setFlag(page, rows[2]!);
    await renameRow(page, ROWS.table, rows[0]!, 'Oat milk');
    await openFirst(page, 'Groceries for the long weekend', 'Oat milk');
    await a.expectSynced();
    const problems: string[] = [];
    for (const size of SIZES) {
      await resize(page, size);
      const toggle = page.getByTestId('sync-details-toggle');
      for (const unfolded of [false, true]) {
        const at = `at ${size.width}×${size.height}, the drawer ${unfolded ? 'unfolded' : 'folded'}`;
        await toggle.scrollIntoViewIfNeeded();
        if ((await toggle.getAttribute('aria-expanded')) !== String(unfolded)) await toggle.click();
        await expect(toggle).toHaveAttribute('aria-expanded', String(unfolded));
        problems.push(...(await sideways(page)).map((p) => `${at}: ${p}`));
        problems.push(...(await reachProblems(page)).map((p) => `${at}: ${p}`));
        problems.push(...(await targetsScrolled(page)).map((p) => `${at}: ${p}`));
      }
      // The drawer usable: its Network select reached and working, the inspector showing a
      // field's history from a row's History.
      const network = page.getByRole('combobox', { name: 'Network' });
      await network.scrollIntoViewIfNeeded();
      await expect(network).toBeInViewport();
      const history = page.getByRole('button', { name: new RegExp(`^History of ${ROWS.titleWords.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
      if ((await history.count()) > 0) {
        await history.scrollIntoViewIfNeeded();
        await history.click();
        await expect(page.getByTestId('inspector-row').first()).toBeVisible();
        problems.push(...(await reachProblems(page)).map((p) => `at ${size.width}×${size.height}, a history: ${p}`));
      }
      await page.getByTestId('inspector-row').first().scrollIntoViewIfNeeded();
      await expect(page.getByTestId('inspector-row').first()).toBeInViewport();
    }
    expect(problems).toEqual([]);
  });
});
