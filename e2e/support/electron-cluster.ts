/**
 * The same scenarios in real Electron: a fresh server, and one Electron app per instance
 * (`electron . --profile e2e-N --server URL`, the token in FIELDSYNC_TOKEN, every profile
 * under a temporary FIELDSYNC_DATA_ROOT), driven with Playwright's `_electron`. Stopping an
 * instance quits its app (which closes its database cleanly); starting it launches the app
 * again on the same profile, with a new window.
 *
 * Electron's binary cannot be downloaded on every machine: `electronSkipReason()` says why
 * these tests cannot run here, and they are skipped with that reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { _electron, chromium, type ElectronApplication, type Page } from '@playwright/test';
import { findElectronBinary } from '../../scripts/lib/electron-binary.ts';
import { root } from '../../scripts/app-build.ts';
import type { AppErrorCode, Envelope } from '../../src/shared/app-api.ts';
import type { AppInstance, Cluster } from '../scenarios/types.ts';
import { AppUi } from './app-ui.ts';
import { chromiumLaunchOptions } from './chromium.ts';
import { composeSideBySide } from './side-by-side.ts';
import { startTestServer } from './sync-server.ts';

const electronBinary = findElectronBinary(join(root, 'node_modules', 'electron'), process.env);

/** Why the Electron scenarios cannot run on this machine, or null when they can. */
export function electronSkipReason(): string | null {
  if (!electronBinary.ok) {
    return `Electron's binary is not installed: ${electronBinary.reason}. The same scenarios run in Chromium through the browser host; to run them in Electron too, install its binary (node node_modules/electron/install.js, with network access)`;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
    return `no display for Electron's windows (DISPLAY is not set)${xvfb ? ': run the suite under xvfb-run -a npm run test:e2e' : ''}`;
  }
  return null;
}

export interface ElectronCluster extends Cluster {
  pageErrors(): string[];
  logs(): string;
  dispose(): Promise<void>;
}

/** Calls `window.fieldsync` from the page, as any script in it could (runs in the page). */
async function preloadApiCall({ method, args }: { method: string; args: readonly unknown[] }): Promise<Envelope> {
  const api = (window as unknown as { fieldsync?: Record<string, (...a: unknown[]) => Promise<unknown>> }).fieldsync;
  const fn = api?.[method];
  if (typeof fn !== 'function') return { ok: false, error: { code: 'invalid_argument', message: `Unknown method: ${method}` } };
  try {
    return { ok: true, value: await fn(...args) };
  } catch (err) {
    // The preload rejects with plain { name: 'AppError', code, message } objects.
    const e = err as { code?: AppErrorCode; message?: string };
    return { ok: false, error: { code: e.code ?? 'internal', message: e.message ?? String(err) } };
  }
}

export async function startElectronCluster(options: { count: number; dir: string; size?: { width: number; height: number }; syncIntervalMs?: number }): Promise<ElectronCluster> {
  if (!electronBinary.ok) throw new Error(electronSkipReason() ?? 'no Electron');
  const executablePath = electronBinary.path;
  const server = await startTestServer(options.dir);
  const errors: string[] = [];
  let log = '';
  const apps = new Map<string, ElectronApplication>();
  const size = options.size ?? { width: 640, height: 860 };

  const launch = async (profile: string): Promise<{ app: ElectronApplication; page: Page }> => {
    const app = await _electron.launch({
      executablePath,
      args: [
        root, '--profile', profile, '--server', server.url,
        ...(options.syncIntervalMs !== undefined ? ['--sync-interval-ms', String(options.syncIntervalMs)] : []),
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      cwd: root,
      env: { ...process.env, FIELDSYNC_TOKEN: server.token, FIELDSYNC_DATA_ROOT: options.dir } as Record<string, string>,
      timeout: 30_000,
    });
    apps.set(profile, app);
    app.process().stderr?.on('data', (d: Buffer) => (log += `[${profile}] ${String(d)}`));
    const page = await app.firstWindow();
    page.on('pageerror', (err) => errors.push(`${profile}: ${err.message}`));
    page.on('console', (m) => (log += `[${profile} page] ${m.type()}: ${m.text()}\n`));
    await app.evaluate(({ BrowserWindow }, s) => BrowserWindow.getAllWindows()[0]?.setContentSize(s.width, s.height), size);
    await new AppUi(page).ready(profile);
    return { app, page };
  };

  const makeInstance = async (index: number): Promise<AppInstance> => {
    const profile = `e2e-${index + 1}`;
    let current = await launch(profile);
    return {
      profile,
      get page() {
        return current.page;
      },
      async stop() {
        const app = apps.get(profile);
        apps.delete(profile);
        await app?.close();
      },
      async start() {
        if (apps.has(profile)) return;
        current = await launch(profile);
      },
      callApi: (method, args) => current.page.evaluate(preloadApiCall, { method, args }),
      async paste(input, text) {
        await current.app.evaluate(({ clipboard }, t) => clipboard.writeText(t), text);
        await input.focus();
        await current.page.keyboard.press('ControlOrMeta+V');
      },
    };
  };

  const instances: AppInstance[] = [];
  try {
    for (let i = 0; i < options.count; i++) instances.push(await makeInstance(i));
  } catch (err) {
    for (const app of apps.values()) await app.close().catch(() => undefined);
    await server.stop();
    throw err;
  }

  return {
    instances,
    syncIntervalMs: options.syncIntervalMs ?? null,
    server: { url: server.url, token: server.token, stop: () => server.stop(), start: () => server.start() },
    async sideBySide(images) {
      const browser = await chromium.launch(chromiumLaunchOptions());
      try {
        return await composeSideBySide(browser, images);
      } finally {
        await browser.close();
      }
    },
    pageErrors: () => [...errors],
    logs: () => `${log}\n[server]\n${server.output()}`,
    async dispose() {
      for (const app of apps.values()) await app.close().catch(() => undefined);
      apps.clear();
      await server.stop();
    },
  };
}
