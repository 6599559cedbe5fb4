/**
 * Which Chromium the end-to-end tests drive (scripts/lib/browser-choice.ts has the order and
 * why): CHROMIUM_PATH, else the system's Chromium or Chrome, else Playwright's own, else one
 * installed on first need by the global setup, which then sets CHROMIUM_PATH for the workers.
 */
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { chromium, type LaunchOptions } from '@playwright/test';
import { chooseBrowser, describeChoice, type BrowserProbe } from '../../scripts/lib/browser-choice.ts';
import { defaultCacheDir, ensureBrowser, isExecutableFile, packagedChromiumPath, spawnRunner } from '../../scripts/lib/browser-install.ts';

const root = join(import.meta.dirname, '..', '..');

function probe(): BrowserProbe {
  return { platform: platform(), arch: arch(), env: process.env, isExecutable: isExecutableFile, playwrightChromium: () => chromium.executablePath() };
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

/** The browser found without installing anything, or null. */
export function installedChromium(): string | null {
  const choice = chooseBrowser(probe());
  if (choice.kind === 'install') {
    const packaged = packagedChromiumPath(defaultCacheDir());
    return isExecutableFile(packaged) ? packaged : null;
  }
  return choice.kind === 'error' ? null : choice.path;
}

export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = installedChromium();
  return executablePath ? { executablePath, args: CHROMIUM_ARGS } : { args: CHROMIUM_ARGS.filter((a) => a !== '--headless') };
}

/** For the global setup: finds or installs the browser; sets CHROMIUM_PATH for the workers. Returns a line for the log. */
export async function prepareChromium(log: (line: string) => void): Promise<string> {
  const choice = await ensureBrowser({ probe: probe(), run: spawnRunner, cacheDir: defaultCacheDir(), root, log });
  process.env.CHROMIUM_PATH = choice.path;
  return describeChoice(choice);
}

/**
 * As chromiumLaunchOptions, with storage partitioning on, as in a user's Chrome: Playwright
 * turns `ThirdPartyStoragePartitioning` off by default, and the browser host keeps its
 * sessions in `localStorage`, which partitioning splits by top-level site. Chromium takes the
 * last `--disable-features` it is given, so this one, without it, replaces Playwright's.
 */
export function partitionedChromiumLaunchOptions(): LaunchOptions {
  const options = chromiumLaunchOptions();
  const disabled = ['AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'MediaRouter', 'PaintHolding', 'OptimizationHints'];
  return { ...options, args: [...(options.args ?? []), `--disable-features=${disabled.join(',')}`, '--enable-features=ThirdPartyStoragePartitioning'] };
}
