/**
 * The measures of e2e/browser/target-sizes.spec.ts (round 65) shared with reflow.spec.ts
 * (round 66): a resize that waits for the drawer's fold, and each pointer target failing
 * WCAG 2.2 SC 2.5.8 (or the app's own 24 × 24 bar) on the page as it stands.
 */
import { expect, type Page } from '@playwright/test';
import { FOLDED_DRAWER } from '../../src/renderer/src/shell/drawer-queries.ts';

/**
 * A new viewport, once the app has reacted to it. The drawer folds when the window turns
 * narrow and short (AppShell.tsx), on a media query's change event dispatched in a rendering
 * step after the resize, unless the focus is in it. Read at once, `aria-expanded` could still
 * say unfolded and the fold come after the test's own check (round 65's first CI: the Network
 * control gone at 420 px). So when the resize crosses into the fold, the fold is waited for.
 */
export async function resize(page: Page, size: { width: number; height: number }): Promise<void> {
  const drawer = page.getByRole('complementary', { name: 'Sync and messages' });
  const before = await page.evaluate((q) => matchMedia(q).matches, FOLDED_DRAWER);
  await page.setViewportSize(size);
  const after = await page.evaluate((q) => matchMedia(q).matches, FOLDED_DRAWER);
  const focusInDrawer = await drawer.evaluate((el) => el.contains(document.activeElement));
  if (!before && after && !focusInDrawer) await expect(page.getByTestId('sync-details-toggle')).toHaveAttribute('aria-expanded', 'false');
}

/** Each target failing SC 2.5.8 on this page as it stands, with its size and what it meets. */
export async function targetProblems(page: Page, strict: boolean): Promise<string[]> {
  return page.evaluate((strict) => {
    const MIN = 24;
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="checkbox"], [role="switch"], [role="tab"], [role="option"], [role="menuitem"], [role="link"]';
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const host = document.createElement('div');
    document.body.append(host);
    const shadow = host.attachShadow({ mode: 'open' });

    /** What the browser alone makes of this control: not the author's size. */
    function defaultSize(el: Element): { width: number; height: number } {
      const copy = document.createElement(el.tagName.toLowerCase());
      for (const attr of ['type', 'size', 'multiple']) if (el.hasAttribute(attr)) copy.setAttribute(attr, el.getAttribute(attr)!);
      if (el instanceof HTMLSelectElement) for (const o of el.options) copy.append(new Option(o.text));
      else copy.textContent = el.textContent;
      shadow.append(copy);
      const r = copy.getBoundingClientRect();
      copy.remove();
      return { width: r.width, height: r.height };
    }
    function shown(el: HTMLElement): boolean {
      if (el.closest('[hidden], [inert], [aria-hidden="true"]')) return false;
      if ((el as HTMLButtonElement).disabled) return false;
      const s = getComputedStyle(el);
      return s.visibility !== 'hidden' && s.pointerEvents !== 'none' && el.checkVisibility({ opacityProperty: true });
    }
    /** Inside a sentence: inline, in a block with text of its own besides it. */
    function inline(el: HTMLElement): boolean {
      if (getComputedStyle(el).display !== 'inline') return false;
      const block = el.parentElement!;
      return [...block.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
    }
    function name(el: HTMLElement): string {
      return (el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '').slice(0, 40) || `${el.tagName.toLowerCase()}.${el.className}`;
    }

    type Target = { el: HTMLElement; name: string; box: { left: number; top: number; right: number; bottom: number } };
    const targets: Target[] = [];
    // Controls by their role, and anything else the pointer is shown it can press or drag (a
    // clickable row, a drag grip): the outermost element of a run with that cursor.
    const pointerCursor = (el: Element | null): boolean => !!el && ['pointer', 'grab', 'move'].includes(getComputedStyle(el).cursor);
    const candidates = new Set(document.querySelectorAll<HTMLElement>(selector));
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) if (pointerCursor(el) && !pointerCursor(el.parentElement)) candidates.add(el);
    for (const el of candidates) {
      if (!shown(el)) continue;
      let r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.bottom <= 0 || r.top >= vh || r.right <= 0 || r.left >= vw) continue;
      // What a click on the centre hits is this control (not one lying over it).
      const hit = document.elementFromPoint(Math.min(vw - 1, Math.max(0, (r.left + r.right) / 2)), Math.min(vh - 1, Math.max(0, (r.top + r.bottom) / 2)));
      if (hit && !el.contains(hit) && !hit.contains(el) && !(el instanceof HTMLInputElement && [...(el.labels ?? [])].some((l) => l.contains(hit)))) continue;
      let box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      if (el instanceof HTMLInputElement) {
        for (const label of el.labels ?? []) {
          r = label.getBoundingClientRect();
          if (r.width === 0) continue;
          box = { left: Math.min(box.left, r.left), top: Math.min(box.top, r.top), right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom) };
        }
      }
      // What an ancestor's overflow clips is no hit area: the box as the pointer can reach it.
      // One a scroll container shows in part is measured when scrolled to, not here.
      let scrolledPast = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const st = getComputedStyle(up);
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        const c = up.getBoundingClientRect();
        const cut = { left: Math.max(box.left, c.left), top: Math.max(box.top, c.top), right: Math.min(box.right, c.right), bottom: Math.min(box.bottom, c.bottom) };
        const scroller = /auto|scroll/.test(st.overflowX + st.overflowY);
        if (scroller && (cut.left > box.left + 0.5 || cut.top > box.top + 0.5 || cut.right < box.right - 0.5 || cut.bottom < box.bottom - 0.5)) scrolledPast = true;
        // A scroll container stopped a fraction of a pixel into a target (reflow.spec.ts steps
        // through them) shows it whole, to the pointer: not cut to 23.9 px.
        else if (!scroller) box = cut;
      }
      if (scrolledPast || box.right - box.left <= 0 || box.bottom - box.top <= 0) continue;
      targets.push({ el, name: name(el), box });
    }
    host.remove();
    // One target per control: a control inside another (a button in a clickable row) counts as
    // its own, but a label's input is the same target as its label.
    const small = targets.filter((t) => {
      const w = t.box.right - t.box.left;
      const h = t.box.bottom - t.box.top;
      if (w >= MIN - 0.01 && h >= MIN - 0.01) return false;
      if (inline(t.el)) return false;
      return true;
    });
    const problems: string[] = [];
    for (const t of small) {
      const w = t.box.right - t.box.left;
      const h = t.box.bottom - t.box.top;
      const def = defaultSize(t.el);
      if (t.el.matches('input, select, textarea, button') && Math.abs(def.width - (t.el.getBoundingClientRect().width)) < 0.5 && Math.abs(def.height - t.el.getBoundingClientRect().height) < 0.5) continue;
      const cx = (t.box.left + t.box.right) / 2;
      const cy = (t.box.top + t.box.bottom) / 2;
      const meets: string[] = [];
      for (const o of targets) {
        if (o === t || o.el.contains(t.el) || t.el.contains(o.el)) continue;
        const dx = Math.max(o.box.left - cx, 0, cx - o.box.right);
        const dy = Math.max(o.box.top - cy, 0, cy - o.box.bottom);
        const toBox = Math.hypot(dx, dy);
        let clash = toBox < MIN / 2 - 0.01;
        if (!clash && small.includes(o)) {
          const ox = (o.box.left + o.box.right) / 2;
          const oy = (o.box.top + o.box.bottom) / 2;
          clash = Math.hypot(ox - cx, oy - cy) < MIN - 0.01;
        }
        if (clash) meets.push(o.name);
      }
      const size = `${Math.round(w * 10) / 10}×${Math.round(h * 10) / 10}`;
      if (meets.length > 0) problems.push(`${t.name} ${size}, its circle meets ${meets.slice(0, 3).join(', ')}`);
      else if (strict) problems.push(`${t.name} ${size}: a hit area under 24 px, passing by its spacing alone`);
    }
    return problems;
  }, strict);
}
