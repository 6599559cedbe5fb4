/**
 * Opens a sign-in link in the system's browser, for `npm run start:web`, where there is a
 * screen to show it: always on macOS and Windows, on Linux when DISPLAY or WAYLAND_DISPLAY
 * is set; never under CI or a test runner, and never with `--no-open`.
 *
 * The link is a one-time secret, and command lines are visible to every user of the
 * machine: so the opener is given a file instead (as Jupyter does), a small page in a
 * private folder (0700, the file 0600) that sends the browser on to the link.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// The name as the viewer's page has it: a renamed fork's page says its own (docs/fork.md).
import { APP_NAME_HTML as APP_NAME, escapeHtml } from '../../src/web-host/html-text.ts';
import { hasDisplay } from './display.ts';

export function shouldOpenBrowser(o: { readonly open: boolean; readonly platform: NodeJS.Platform; readonly env: Readonly<Record<string, string | undefined>> }): boolean {
  if (!o.open || o.env.CI || o.env.VITEST || o.env.PLAYWRIGHT_TEST_BASE_URL !== undefined || o.env.FIELDSYNC_NO_OPEN) return false;
  return hasDisplay(o.platform, o.env);
}

/** The platform's opener for a file: `open`, `explorer.exe` (by association), `xdg-open`. */
export function openerFor(platform: NodeJS.Platform, file: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  if (platform === 'win32') return { command: 'explorer.exe', args: [file] };
  return { command: 'xdg-open', args: [file] };
}

/** The page that forwards the browser to `url` (a meta refresh: it runs no script). */
export function redirectPage(url: string): string {
  const safe = escapeHtml(url);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><title>Opening ${APP_NAME}…</title></head>\n<body><p><a href="${safe}">Open ${APP_NAME}</a></p></body></html>\n`;
}

/**
 * Opens `url` by way of a private redirect file; returns the function that removes it (call
 * it when the launcher stops). Failures are reported, never thrown: the link is printed anyway.
 */
export function openInBrowser(url: string, say: (line: string) => void, platform: NodeJS.Platform = process.platform): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsync-open-')); // 0700
  const file = join(dir, 'open-fieldsync.html');
  writeFileSync(file, redirectPage(url), { mode: 0o600 });
  const { command, args } = openerFor(platform, platform === 'win32' ? file : pathToFileURL(file).href);
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', (err) => say(`could not open a browser (${command}: ${err.message}); open the link above yourself`));
    child.unref();
  } catch (err) {
    say(`could not open a browser (${(err as Error).message}); open the link above yourself`);
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
