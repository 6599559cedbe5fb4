/**
 * What a page showed, change by change: a MutationObserver in the page reads the text of the
 * elements matching a selector after every DOM change, and keeps each new value with the
 * page's `Date.now()`. Polling from the test can miss a state that lasts a moment on a fast
 * machine, or sample it too late on a loaded one; the page's own record misses none, so a
 * scenario can assert the order in which states came (two pages of one machine share its clock).
 */
import type { Page } from '@playwright/test';

export interface Shown {
  /** `Date.now()` in the page when the DOM showed it. */
  readonly at: number;
  /** The matching elements' texts, joined by `|` ('' for none). */
  readonly value: string;
}

interface Recorder {
  readonly key: string;
  readonly selector: string;
}

/** Starts recording, under `key`, the texts of `selector`'s elements in `page` (from their value now). */
export async function recordTexts(page: Page, key: string, selector: string): Promise<void> {
  await page.evaluate(({ key, selector }: Recorder) => {
    const w = window as unknown as { __fieldsyncShown?: Record<string, { at: number; value: string }[]> };
    const all = (w.__fieldsyncShown ??= {});
    const list: { at: number; value: string }[] = (all[key] = []);
    const read = (): string => Array.from(document.querySelectorAll(selector), (e) => e.textContent ?? '').join('|');
    const note = (): void => {
      const value = read();
      if (list.at(-1)?.value !== value) list.push({ at: Date.now(), value });
    };
    note();
    new MutationObserver(note).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  }, { key, selector });
}

/** Everything recorded under `key` in `page` so far, oldest first. */
export async function shownTexts(page: Page, key: string): Promise<Shown[]> {
  return page.evaluate((k) => (window as unknown as { __fieldsyncShown?: Record<string, Shown[]> }).__fieldsyncShown?.[k] ?? [], key);
}
