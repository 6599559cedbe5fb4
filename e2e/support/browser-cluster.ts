/**
 * A fresh set of app instances in Chromium for one scenario: a fresh server, and one browser
 * host (`src/web-host/main.ts`, a child process on a temporary profile) per instance, each
 * shown in its own browser context. Stopping an instance stops its host process; starting
 * it again reuses its port and profile, and the page (still open, as a user would leave it)
 * reconnects by itself. Each page is signed in as a user's browser is: with the host's
 * one-time sign-in link, which sets the instance's cookie (src/web-host/host-session.ts).
 */
import { join } from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startNodeProcess, type NodeProcess } from '../../scripts/processes.ts';
import type { Envelope } from '../../src/shared/app-api.ts';
import type { AppInstance, Cluster } from '../scenarios/types.ts';
import { AppUi } from './app-ui.ts';
import { composeSideBySide } from './side-by-side.ts';
import { startTestServer, type TestServer } from './sync-server.ts';

export interface BrowserClusterOptions {
  readonly browser: Browser;
  readonly count: number;
  /** A temporary folder for the server's database and the profiles. */
  readonly dir: string;
  /** The built renderer the hosts serve. */
  readonly rendererDir: string;
  readonly viewport?: { width: number; height: number };
  /** The browser host to run: this app's by default, a fork's in the fork test. */
  readonly hostEntry?: string;
}

export interface BrowserCluster extends Cluster {
  /** Uncaught exceptions in any page: a scenario must end with none. */
  pageErrors(): string[];
  /** What the processes and pages printed, for a failed test's report. */
  logs(): string;
  dispose(): Promise<void>;
}

/** Calls the API over the page's own WebSocket endpoint, bypassing the renderer (runs in the page). */
async function rawApiCall({ method, args }: { method: string; args: readonly unknown[] }): Promise<Envelope> {
  const url = document.querySelector('meta[name="fieldsync-host"]')?.getAttribute('content');
  if (!url) throw new Error('no fieldsync-host meta tag');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('the WebSocket did not open'));
  });
  const id = 1_000_000_000 + Math.floor(Math.random() * 1_000_000);
  const reply = new Promise<Envelope>((resolve) => {
    ws.onmessage = (e: MessageEvent<string>) => {
      const frame = JSON.parse(e.data) as { id?: number; envelope?: Envelope };
      if (frame.id === id && frame.envelope) resolve(frame.envelope);
    };
  });
  ws.send(JSON.stringify({ id, method, args }));
  const envelope = await reply;
  ws.close();
  return envelope;
}

export async function startBrowserCluster(options: BrowserClusterOptions): Promise<BrowserCluster> {
  const server: TestServer = await startTestServer(options.dir);
  const errors: string[] = [];
  let log = '';
  const contexts: BrowserContext[] = [];
  const hosts = new Map<string, NodeProcess>();

  const launchHost = async (profile: string, port: number): Promise<NodeProcess> => {
    const host = await startNodeProcess({
      name: profile,
      args: [
        options.hostEntry ?? 'src/web-host/main.ts',
        '--profile', profile,
        '--profile-dir', join(options.dir, profile),
        '--server', server.url,
        '--port', String(port),
        '--renderer-dir', options.rendererDir,
      ],
      env: { FIELDSYNC_TOKEN: server.token },
      onLine: (line) => (log += `[${profile}] ${line}\n`),
    });
    hosts.set(profile, host);
    return host;
  };

  const makeInstance = async (index: number): Promise<AppInstance> => {
    const profile = `web-${index + 1}`;
    const first = await launchHost(profile, 0);
    const port = first.port;
    const context = await options.browser.newContext({ viewport: options.viewport ?? { width: 640, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: first.url });
    contexts.push(context);
    const page: Page = await context.newPage();
    page.on('pageerror', (err) => errors.push(`${profile}: ${err.message}`));
    page.on('console', (m) => (log += `[${profile} page] ${m.type()}: ${m.text()}\n`));
    if (!first.loginUrl) throw new Error(`${profile} printed no sign-in link`);
    await page.goto(first.loginUrl);
    await expect(page).toHaveURL(`${first.url}/`); // the one-time code left the address bar
    const ui = new AppUi(page);
    await ui.ready(profile);
    return {
      profile,
      page,
      async stop() {
        const host = hosts.get(profile);
        hosts.delete(profile);
        if (host) log += `[${profile}] stopped: ${await host.stop('SIGTERM')}\n`;
        // The page stays open, and says at once that it lost its instance.
        await expect(page.getByTestId('host-lost')).toBeVisible();
      },
      async start() {
        if (hosts.has(profile)) return;
        await launchHost(profile, port);
        // The page stayed open: its bridge reconnects by itself and re-reads everything.
        await expect(page.getByTestId('host-lost')).toHaveCount(0, { timeout: 15_000 });
        await expect(ui.syncState).not.toHaveText('Reconnecting…');
      },
      callApi: (method, args) => page.evaluate(rawApiCall, { method, args }),
      async paste(input, text) {
        await page.evaluate((t) => navigator.clipboard.writeText(t), text);
        await input.focus();
        await page.keyboard.press('ControlOrMeta+V');
      },
    };
  };

  let instances: AppInstance[];
  try {
    // One at a time: three hosts opening SQLite and a page each on two cores is no race to win.
    instances = [];
    for (let i = 0; i < options.count; i++) instances.push(await makeInstance(i));
  } catch (err) {
    await Promise.all([...hosts.values()].map((h) => h.stop()));
    await server.stop();
    throw err;
  }

  return {
    instances,
    server: {
      url: server.url,
      token: server.token,
      stop: () => server.stop(),
      start: () => server.start(),
    },
    sideBySide: (images) => composeSideBySide(options.browser, images),
    pageErrors: () => [...errors],
    logs: () => `${log}\n[server]\n${server.output()}`,
    async dispose() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await Promise.all([...hosts.values()].map((h) => h.stop()));
      hosts.clear();
      await server.stop();
    },
  };
}
