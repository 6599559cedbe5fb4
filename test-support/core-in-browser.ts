/**
 * A web app that runs the sync core itself, in a real browser (Chromium), for tests: its
 * origin serves a page at `/` and the core's modules under `/sync/` (`src/sync`, their types
 * stripped, as a bundler would leave them), plus any modules a test adds (a store of the docs'
 * examples, say). No proxy to the sync server: a page reaches that on its own origin.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_ARGS } from '../e2e/support/chromium.ts';

const core = join(import.meta.dirname, '..', 'src', 'sync');

export interface CoreOrigin {
  readonly origin: string;
  close(): Promise<void>;
}

/** The app's origin; `modules` maps more paths (`/document-store.ts`) to their TypeScript source. */
export async function coreOrigin(modules: Readonly<Record<string, () => string>> = {}): Promise<CoreOrigin> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const js = (source: string): void => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(stripTypeScriptTypes(source));
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>web app</title>');
    const extra = modules[path];
    if (extra) return js(extra());
    const file = normalize(join(core, path.slice('/sync/'.length)));
    if (!path.startsWith('/sync/') || !path.endsWith('.ts') || !file.startsWith(core)) return void res.writeHead(404).end();
    js(readFileSync(file, 'utf8'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * For a describe block: the app's origin and a Chromium, made before its tests and closed
 * after them. Read `origin` and `browser` inside the tests.
 */
export function appInChromium(executablePath: string, modules?: Readonly<Record<string, () => string>>): { readonly origin: string; readonly browser: Browser } {
  let app: CoreOrigin | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    app = await coreOrigin(modules);
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  return {
    get origin() {
      return (app as CoreOrigin).origin;
    },
    get browser() {
      return browser as Browser;
    },
  };
}
