/**
 * Which Chromium the end-to-end suite drives, decided without side effects: the platform, the
 * environment and the file system are parameters, so every branch is unit-tested.
 *
 * The order, first match wins:
 *   1. CHROMIUM_PATH, when set: the user's explicit choice (an error if it does not run);
 *   2. a system Chromium, Chrome or Edge: the usual install paths of Linux, macOS and Windows, and
 *      `chromium`, `chromium-browser`, `google-chrome` on PATH. Nothing to download, and on
 *      Linux it is the distribution's build, patched and updated with the system;
 *   3. Playwright's own Chromium, when `playwright install chromium` has been run;
 *   4. otherwise nothing is installed: the caller installs a browser (see browser-install.ts):
 *      Playwright's own where its download server is reachable, else the Chromium that the
 *      `@sparticuz/chromium` npm package ships inside its tarball (Linux x64 and arm64), which
 *      installs wherever the npm registry does.
 */
import { delimiter, join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface BrowserProbe {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly env: Env;
  /** Whether `path` is a file this user may execute. */
  readonly isExecutable: (path: string) => boolean;
  /** Where Playwright's own Chromium is (or would be) installed. */
  readonly playwrightChromium: () => string;
}

export type BrowserChoice =
  | { readonly kind: 'explicit' | 'system' | 'playwright' | 'packaged'; readonly path: string }
  | { readonly kind: 'install'; readonly plan: readonly InstallStep[] }
  | { readonly kind: 'error'; readonly reason: string };

/** A way to install a browser, tried in order until one works. */
export type InstallStep = 'playwright' | 'npm-package';

/** The usual places of Chromium and Chrome on each platform, most specific first. */
export function systemBrowserCandidates(platform: NodeJS.Platform, env: Env): string[] {
  const onPath = (names: readonly string[]): string[] =>
    (env.PATH ?? env.Path ?? '')
      .split(platform === 'win32' ? ';' : delimiter)
      .filter(Boolean)
      .flatMap((dir) => names.map((name) => join(dir, name)));
  switch (platform) {
    // Microsoft Edge last: Chromium too, and on every Windows 10 and 11, where without it a
    // machine with no Chrome had Playwright download a browser first.
    case 'darwin': {
      const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
      return [...apps.map((a) => `/Applications/${a}`), ...(env.HOME ? apps.map((a) => `${env.HOME}/Applications/${a}`) : [])];
    }
    case 'win32': {
      const roots = [env.PROGRAMFILES ?? env.ProgramFiles, env['PROGRAMFILES(X86)'] ?? env['ProgramFiles(x86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
      const exes = ['Google\\Chrome\\Application\\chrome.exe', 'Chromium\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
      return exes.flatMap((exe) => roots.map((root) => `${root.replace(/\\$/, '')}\\${exe}`));
    }
    default:
      return [
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/snap/bin/chromium',
        '/opt/google/chrome/chrome',
        ...onPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']),
      ];
  }
}

/** Where a browser can be installed from when none is on the machine. */
export function installPlan(platform: NodeJS.Platform, arch: string): InstallStep[] {
  // @sparticuz/chromium ships Linux builds only.
  return platform === 'linux' && (arch === 'x64' || arch === 'arm64') ? ['playwright', 'npm-package'] : ['playwright'];
}

export function chooseBrowser(probe: BrowserProbe): BrowserChoice {
  const explicit = probe.env.CHROMIUM_PATH?.trim();
  if (explicit) {
    return probe.isExecutable(explicit) ? { kind: 'explicit', path: explicit } : { kind: 'error', reason: `CHROMIUM_PATH is set to ${explicit}, which is not an executable file` };
  }
  const system = systemBrowserCandidates(probe.platform, probe.env).find((p) => probe.isExecutable(p));
  if (system) return { kind: 'system', path: system };
  const playwright = probe.playwrightChromium();
  if (probe.isExecutable(playwright)) return { kind: 'playwright', path: playwright };
  return { kind: 'install', plan: installPlan(probe.platform, probe.arch) };
}

/** One line for the test log. */
export function describeChoice(choice: BrowserChoice): string {
  switch (choice.kind) {
    case 'explicit':
      return `the Chromium of CHROMIUM_PATH (${choice.path})`;
    case 'system':
      return `the system's Chromium (${choice.path})`;
    case 'playwright':
      return `Playwright's own Chromium (${choice.path})`;
    case 'packaged':
      return `the Chromium of the npm package @sparticuz/chromium (${choice.path})`;
    case 'install':
      return `no Chromium on this machine yet: installing one (${choice.plan.join(', then ')})`;
    case 'error':
      return choice.reason;
  }
}
