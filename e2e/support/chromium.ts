/**
 * Which Chromium the end-to-end tests drive: the system's (Debian's `chromium` package, which
 * `.ci/run` installs) when there is one, otherwise Playwright's own browser. Browsers are
 * never downloaded by the tests: `playwright install` is not part of any script.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { LaunchOptions } from '@playwright/test';

/** The system's Chromium: CHROMIUM_PATH, /usr/bin/chromium, or `chromium` on PATH. */
export function systemChromium(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'chromium'))];
  for (const file of candidates) {
    if (!file) continue;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not there
    }
  }
  return null;
}

/**
 * Flags for a headless Chromium in a container without a network: no sandbox (root), no
 * GPU, and none of the background connections that a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = systemChromium();
  return executablePath ? { executablePath, args: CHROMIUM_ARGS } : { args: CHROMIUM_ARGS.filter((a) => a !== '--headless') };
}

/** One line for the test log: which browser this run uses. */
export function describeChromium(): string {
  const path = systemChromium();
  return path ? `the system's Chromium (${path})` : "Playwright's own Chromium (no system chromium found)";
}
