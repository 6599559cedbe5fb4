/**
 * A fresh set of app instances in Chromium for one scenario: a fresh server, and one browser
 * host (`src/web-host/main.ts`, a child process on a temporary profile) per instance, each
 * shown in its own browser context. Stopping an instance stops its host process; starting
 * it again reuses its port and profile. The page, still open as a user would leave it, then
 * finds that the new host run does not know its session and says so (sessions live one host
 * run), and it is signed in again with the new run's link, as a user would. Each page is
 * signed in as a user's browser is: with the host's one-time sign-in link, which the page
 * redeems for a session over its WebSocket (src/web-host/host-session.ts).
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
  /** The hosts' `--sync-interval-ms` (0: no sync on a timer); their default when not given. */
  readonly syncIntervalMs?: number;
}

export interface BrowserCluster extends Cluster {
  /** Uncaught exceptions in any page: a scenario must end with none. */
  pageErrors(): string[];
  /** What the processes and pages printed, for a failed test's report. */
  logs(): string;
  dispose(): Promise<void>;
}

/**
 * Calls the API over the page's own WebSocket endpoint, bypassing the renderer (runs in the
 * page): the handshake with the session the page stored, as its bridge does.
 */
export async function rawApiCall({ method, args }: { method: string; args: readonly unknown[] }): Promise<Envelope> {
  const url = document.querySelector('meta[name="fieldsync-host"]')?.getAttribute('content');
  if (!url) throw new Error('no fieldsync-host meta tag');
  const session = JSON.parse(localStorage.getItem('fieldsync-host-session') ?? 'null') as { id: string; secret: string } | null;
  if (!session) throw new Error('the page holds no session');
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(session.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const hmac = async (m: string): Promise<string> => Array.from(new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(m))), (b) => b.toString(16).padStart(2, '0')).join('');
  const pn = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  ws.onmessage = (e: MessageEvent<string>) => {
    frames.push(JSON.parse(e.data) as Record<string, unknown>);
    wake?.();
  };
  const next = async (): Promise<Record<string, unknown>> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift() as Record<string, unknown>;
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('the WebSocket did not open'));
  });
  ws.send(JSON.stringify({ hello: { session: session.id, nonce: pn } }));
  const { challenge } = (await next()) as { challenge?: { nonce: string; proof: string } };
  if (!challenge || challenge.proof !== (await hmac(`fieldsync-ws-auth-v1|host|${pn}|${challenge.nonce}`))) throw new Error('the host did not prove the session');
  ws.send(JSON.stringify({ auth: { proof: await hmac(`fieldsync-ws-auth-v1|page|${pn}|${challenge.nonce}`) } }));
  if ((await next()).ready !== true) throw new Error('the host refused the proof');
  const id = 1_000_000_000 + Math.floor(Math.random() * 1_000_000);
  ws.send(JSON.stringify({ id, method, args }));
  for (;;) {
    const frame = (await next()) as { id?: number; envelope?: Envelope };
    if (frame.id === id && frame.envelope) {
      ws.close();
      return frame.envelope;
    }
  }
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
        ...(options.syncIntervalMs !== undefined ? ['--sync-interval-ms', String(options.syncIntervalMs)] : []),
      ],
      env: { FIELDSYNC_TOKEN: server.token },
      onLine: (line) => (log += `[${profile}] ${line}\n`),
      // A bound, not a speed claim: at load 27 on two cores a server took more than 20 s (round 68).
      timeoutMs: 60_000,
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
        const again = await launchHost(profile, port);
        // The page stayed open: its bridge reconnects, and the new run does not know its
        // session (nothing of a run outlives it), so the page stops and says so.
        await expect(page.getByTestId('host-gone')).toContainText('This instance was restarted or is no longer at this address', { timeout: 15_000 });
        // The user opens the new run's sign-in link.
        if (!again.loginUrl) throw new Error(`${profile} printed no sign-in link`);
        await page.goto(again.loginUrl);
        await expect(page).toHaveURL(`${again.url}/`);
        await ui.ready(profile);
        await expect(page.getByTestId('host-lost')).toHaveCount(0);
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
    syncIntervalMs: options.syncIntervalMs ?? null,
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
