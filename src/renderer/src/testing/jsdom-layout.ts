/**
 * Sizes for jsdom, which lays nothing out: every element is 0 px high and nothing scrolls.
 * The todo list is windowed (TanStack Virtual, hooks/use-list-window.ts): it renders the rows
 * that fit in the clientHeight of the pane it scrolls in, as measured by their offsetHeight.
 * With no size at all it would render no row. As the library's maintainers advise for tests,
 * the sizes it reads are given here (renderer-setup.ts, which every renderer test runs first); the
 * app itself has no test-only path:
 *   - a pane that scrolls (layout.css .main-pane) is `layout.paneHeight` px high;
 *   - its content is as high as the highest element in it given a height inline (the list:
 *     the virtualiser clamps a scroll to scrollHeight - clientHeight);
 *   - a windowed row (it carries data-index) is `layout.rowHeight` px high;
 *   - `scrollTo` sets scrollTop and fires `scroll`, as a browser does.
 * A test may change `layout` (and restore it) to model another window.
 */
export const layout = { paneHeight: 600, rowHeight: 40 };
export const LAYOUT_DEFAULTS = { ...layout };

// A test file may run on Node instead (`@vitest-environment node`): no DOM to size.
if (typeof HTMLElement !== 'undefined') {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('main-pane') ? layout.paneHeight : 0;
    },
  });

  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      if (!this.classList.contains('main-pane')) return 0;
      const sized = [...this.querySelectorAll<HTMLElement>('[style]')].map((el) => parseFloat(el.style.height) || 0);
      return Math.max(layout.paneHeight, ...sized);
    },
  });

  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.hasAttribute('data-index') ? layout.rowHeight : 0;
    },
  });

  Element.prototype.scrollTo = function scrollTo(this: Element, options?: ScrollToOptions | number, y?: number) {
    const top = typeof options === 'number' ? y : options?.top;
    if (top === undefined || top === this.scrollTop) return;
    this.scrollTop = top;
    this.dispatchEvent(new Event('scroll'));
  } as Element['scrollTo'];
}
