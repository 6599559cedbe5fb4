/**
 * The core's HTTP remote in a real browser (Chromium), against the real server: the page
 * runs `src/sync/http-remote.ts` itself (its types stripped, as Node does), so the browser's
 * own fetch negotiates and decompresses answers, and the browser's CompressionStream gzips
 * requests once the server has advertised it. The page's origin is a loopback server that
 * serves the core's modules and passes `/v1/` through to the sync server untouched (a
 * page of the server's own origin, as behind a proxy; another origin: cors-browser.test.ts), recording the
 * codings each way.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedChromium, CHROMIUM_ARGS } from '../../e2e/support/chromium.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const core = join(import.meta.dirname, '..', '..', 'src', 'sync');
const chromiumPath = installedChromium();

interface Passed {
  readonly requestEncoding: string | undefined;
  readonly acceptEncoding: string | undefined;
  readonly answerEncoding: string | undefined;
}

async function appOrigin(target: string): Promise<{ url: string; passed: Passed[]; close(): Promise<void> }> {
  const passed: Passed[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>core</title>');
      return;
    }
    if (path.startsWith('/sync/') && path.endsWith('.ts')) {
      const file = normalize(join(core, path.slice('/sync/'.length)));
      if (!file.startsWith(core)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(stripTypeScriptTypes(readFileSync(file, 'utf8')));
      return;
    }
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      if (path === '/v1/sync') {
        passed.push({ requestEncoding: req.headers['content-encoding'], acceptEncoding: req.headers['accept-encoding'], answerEncoding: up.headers['content-encoding'] });
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, passed, close: () => new Promise((r) => server.close(() => r())) };
}

describe.skipIf(chromiumPath === null)(chromiumPath === null ? 'the core in Chromium (skipped: no Chromium found on this machine)' : 'the core in Chromium', () => {
  let t: TestServer;
  let origin: Awaited<ReturnType<typeof appOrigin>>;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer();
    origin = await appOrigin(t.url);
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await origin?.close();
    await t?.stop();
  });

  it('gzips pushes after the advertisement and reads gzip pulls with the browser\'s own fetch', async () => {
    const page = await browser.newPage();
    await page.goto(origin.url);
    const token = await t.token('browser');
    // A string, not a function: the test runner would rewrite a function's dynamic import.
    const result = await page.evaluate(`(async () => {
      const { createHttpRemote } = await import('/sync/http-remote.ts');
      const { gzipRequests } = await import('/sync/request-compression.ts');
      const remote = createHttpRemote({ url: location.origin, token: ${JSON.stringify(token)}, compress: gzipRequests });
      const messages = (tag) => Array.from({ length: 150 }, (_, i) => ({
        hlc: '2026-01-01T00:00:00.' + String(i).padStart(3, '0') + 'Z-' + (tag === 'a' ? '0000' : '0001') + '-tab',
        table: 'todos', row: tag + '-' + i, column: 'title', value: 'Buy milk and bread, item ' + i,
      }));
      await remote.sync({ clientId: 'tab', cursor: 0, messages: messages('a') });
      await remote.sync({ clientId: 'tab', cursor: 0, messages: messages('b') });
      const page = await remote.sync({ clientId: 'other', cursor: 0, limit: 1000 });
      return { pulled: page.messages.length, compressionStream: typeof CompressionStream };
    })()`);
    expect(result).toEqual({ pulled: 300, compressionStream: 'function' });
    expect(origin.passed.map((p) => p.requestEncoding)).toEqual([undefined, 'gzip', undefined]);
    expect(origin.passed[2]?.acceptEncoding).toMatch(/gzip/);
    expect(origin.passed[2]?.answerEncoding).toBe('gzip');
    expect((await t.pullAll('browser')).length).toBe(300);
    await page.close();
  });
});
