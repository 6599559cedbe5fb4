/**
 * The end-to-end suite's browser: which one is chosen on Linux, macOS and Windows (the file
 * system and platform are stand-ins), and what happens when none is installed: the installers
 * run in order, each a stand-in that succeeds, fails, or leaves a broken file behind.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { chooseBrowser, describeChoice, installPlan, systemBrowserCandidates, type BrowserProbe } from '../lib/browser-choice.ts';
import { ensureBrowser, isExecutableFile, packagedChromiumPath, type Runner } from '../lib/browser-install.ts';

const PW = '/home/me/.cache/ms-playwright/chromium-1/chrome-linux/chrome';

function probe(platform: NodeJS.Platform, executables: readonly string[], env: Record<string, string> = {}, arch = 'x64'): BrowserProbe {
  const set = new Set(executables);
  return { platform, arch, env, isExecutable: (p) => set.has(p), playwrightChromium: () => PW };
}

describe('choosing the browser', () => {
  it('prefers CHROMIUM_PATH, and refuses one that does not run rather than silently taking another', () => {
    expect(chooseBrowser(probe('linux', ['/opt/c', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/c' }))).toEqual({ kind: 'explicit', path: '/opt/c' });
    const bad = chooseBrowser(probe('linux', ['/usr/bin/chromium'], { CHROMIUM_PATH: '/nope' }));
    expect(bad).toMatchObject({ kind: 'error' });
    expect(describeChoice(bad)).toContain('/nope');
  });

  it('Linux: the distribution’s chromium first, then Chrome, then whatever PATH has', () => {
    expect(chooseBrowser(probe('linux', ['/usr/bin/chromium', '/usr/bin/google-chrome', PW]))).toEqual({ kind: 'system', path: '/usr/bin/chromium' });
    expect(chooseBrowser(probe('linux', ['/usr/bin/google-chrome-stable', PW]))).toEqual({ kind: 'system', path: '/usr/bin/google-chrome-stable' });
    expect(chooseBrowser(probe('linux', ['/home/me/bin/chromium'], { PATH: '/usr/local/bin:/home/me/bin' }))).toEqual({ kind: 'system', path: '/home/me/bin/chromium' });
  });

  it('macOS: Chrome or Chromium in /Applications or ~/Applications', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(chooseBrowser(probe('darwin', [chrome, PW]))).toEqual({ kind: 'system', path: chrome });
    const mine = '/Users/me/Applications/Chromium.app/Contents/MacOS/Chromium';
    expect(chooseBrowser(probe('darwin', [mine], { HOME: '/Users/me' }))).toEqual({ kind: 'system', path: mine });
    // Linux paths mean nothing on a Mac.
    expect(chooseBrowser(probe('darwin', ['/usr/bin/chromium'])).kind).toBe('install');
  });

  it('Windows: Chrome under Program Files, Program Files (x86) or the user’s LocalAppData', () => {
    const env = { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)', LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' };
    expect(systemBrowserCandidates('win32', env)).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    const x86 = 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe';
    expect(chooseBrowser(probe('win32', [x86], env))).toEqual({ kind: 'system', path: x86 });
    const local = 'C:\\Users\\me\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    expect(chooseBrowser(probe('win32', [local], env))).toEqual({ kind: 'system', path: local });
  });

  it('Edge, which every Windows 10 and 11 has (and a Mac may), when there is no Chrome or Chromium: no download', () => {
    const env = { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)', LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' };
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    expect(chooseBrowser(probe('win32', [edge, PW], env))).toEqual({ kind: 'system', path: edge });
    // Chrome anywhere comes first.
    const chrome = 'C:\\Users\\me\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    expect(chooseBrowser(probe('win32', [edge, chrome], env))).toEqual({ kind: 'system', path: chrome });
    const macEdge = '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge';
    expect(chooseBrowser(probe('darwin', [macEdge, PW]))).toEqual({ kind: 'system', path: macEdge });
  });

  it('then Playwright’s own when installed, else an install: Playwright’s, then the npm package on Linux only', () => {
    expect(chooseBrowser(probe('linux', [PW]))).toEqual({ kind: 'playwright', path: PW });
    expect(chooseBrowser(probe('linux', []))).toEqual({ kind: 'install', plan: ['playwright', 'npm-package'] });
    expect(chooseBrowser(probe('linux', [], {}, 'arm64'))).toEqual({ kind: 'install', plan: ['playwright', 'npm-package'] });
    expect(installPlan('darwin', 'arm64')).toEqual(['playwright']);
    expect(installPlan('win32', 'x64')).toEqual(['playwright']);
    expect(installPlan('linux', 'ia32')).toEqual(['playwright']);
  });
});

/** A stand-in runner: each installer does what `behaviour` says, and every call is recorded. */
function standIn(cacheDir: string, behaviour: { playwright: 'ok' | 'fail' | 'broken'; npm: 'ok' | 'fail'; unpack: 'ok' | 'fail' | 'broken' }, pwPath: string) {
  const calls: string[] = [];
  const make = (path: string, executable: boolean): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, executable ? '#!/bin/sh\n' : 'half a download');
    chmodSync(path, executable ? 0o755 : 0o644);
  };
  const run: Runner = async (command, args, options) => {
    const line = [command, ...args].join(' ');
    if (line.includes('cli.js install chromium')) {
      calls.push('playwright install');
      if (behaviour.playwright === 'fail') return 1;
      make(pwPath, behaviour.playwright === 'ok');
      return 0;
    }
    if (args[0] === 'install') {
      calls.push('npm install');
      return behaviour.npm === 'ok' ? 0 : 1;
    }
    calls.push(`unpack TMPDIR=${options.env.TMPDIR}`);
    if (behaviour.unpack === 'fail') return 1;
    make(packagedChromiumPath(cacheDir), behaviour.unpack === 'ok');
    return 0;
  };
  return { run, calls };
}

describe.skipIf(process.platform === 'win32')('installing a browser on first need (stand-in installers)', () => {
  async function attempt(behaviour: Parameters<typeof standIn>[1]) {
    const dir = tempDir();
    const cacheDir = join(dir.path, 'cache');
    const pwPath = join(dir.path, 'ms-playwright', 'chrome');
    const { run, calls } = standIn(cacheDir, behaviour, pwPath);
    const linux: BrowserProbe = { platform: 'linux', arch: 'x64', env: { PATH: '' }, isExecutable: (p) => p.startsWith(dir.path) && isExecutableFile(p), playwrightChromium: () => pwPath };
    const logs: string[] = [];
    try {
      const result = await ensureBrowser({ probe: linux, run, cacheDir, root: dir.path, log: (l) => logs.push(l) }).then((c) => c, (e: Error) => e);
      return { result, calls, logs, cacheDir, pwPath };
    } finally {
      dir.remove();
    }
  }

  it('Playwright’s download works: it is used, and nothing else is tried', async () => {
    const r = await attempt({ playwright: 'ok', npm: 'ok', unpack: 'ok' });
    expect(r.result).toEqual({ kind: 'playwright', path: r.pwPath });
    expect(r.calls).toEqual(['playwright install']);
  });

  it('Playwright’s download fails, or leaves a file that does not run: the npm package’s Chromium, unpacked into the private cache', async () => {
    for (const playwright of ['fail', 'broken'] as const) {
      const r = await attempt({ playwright, npm: 'ok', unpack: 'ok' });
      expect(r.result).toEqual({ kind: 'packaged', path: packagedChromiumPath(r.cacheDir) });
      expect(r.calls).toEqual(['playwright install', 'npm install', `unpack TMPDIR=${join(r.cacheDir, 'unpacked')}`]);
    }
  });

  it('nothing works: one error that says what to do, after every installer was tried', async () => {
    for (const behaviour of [
      { playwright: 'fail', npm: 'fail', unpack: 'ok' },
      { playwright: 'fail', npm: 'ok', unpack: 'fail' },
      { playwright: 'broken', npm: 'ok', unpack: 'broken' },
    ] as const) {
      const r = await attempt(behaviour);
      expect(r.result).toBeInstanceOf(Error);
      expect((r.result as Error).message).toMatch(/set CHROMIUM_PATH, or install Chrome or Chromium/);
      expect(r.calls[0]).toBe('playwright install');
    }
  });

  it('a browser unpacked by an earlier run is reused without installing anything', async () => {
    const dir = tempDir();
    try {
      const cacheDir = join(dir.path, 'cache');
      const path = packagedChromiumPath(cacheDir);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '#!/bin/sh\n');
      chmodSync(path, 0o755);
      const run: Runner = async () => {
        throw new Error('nothing should be installed');
      };
      const linux: BrowserProbe = { platform: 'linux', arch: 'x64', env: { PATH: '' }, isExecutable: (p) => p.startsWith(dir.path) && isExecutableFile(p), playwrightChromium: () => join(dir.path, 'none') };
      expect(await ensureBrowser({ probe: linux, run, cacheDir, root: dir.path, log: () => {} })).toEqual({ kind: 'packaged', path });
    } finally {
      dir.remove();
    }
  });
});
