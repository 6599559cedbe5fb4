/**
 * Text put into the HTML pages the host side writes itself (the one-screen viewer, the page
 * that opens the browser, index.html's host meta tag): escaped once, here, for element
 * content and double-quoted attributes alike.
 */
import { readFileSync } from 'node:fs';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The app's name from its one source, `productName` in package.json (a renamed fork's own), escaped. */
export const APP_NAME_HTML = escapeHtml(String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { productName: unknown }).productName));
