/**
 * Issue 11 item 8: the `app://` protocol handler, under plain Node with standard Request and
 * Response objects (the shape Electron's `protocol.handle` takes), over a real build folder:
 * its files with their types and the CSP header, and nothing else (Electron cannot run
 * here; main.ts only registers this function).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from '../app-protocol.ts';
import { contentSecurityPolicy } from '../csp.ts';

let dir: TempDir;
let handle: (request: Request) => Promise<Response>;
const CSP = contentSecurityPolicy();

beforeAll(() => {
  dir = tempDir('fieldsync-app-protocol-');
  const root = join(dir.path, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index.css'), 'body{}');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(dir.path, 'outside.txt'), 'outside');
  handle = createAppProtocolHandler({ root, csp: CSP, readFile, realpath });
});
afterAll(() => dir.remove());

const get = (url: string, method = 'GET'): Promise<Response> => handle(new Request(url, { method }));

describe('the app:// protocol', () => {
  it('serves index.html with the CSP and the security headers', async () => {
    const res = await get(APP_INDEX_URL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('ws:');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<body>');
    expect((await get('app://fieldsync/')).status).toBe(200);
  });

  it('serves the assets with their types, HEAD without a body', async () => {
    const js = await get('app://fieldsync/assets/index.js');
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    expect((await get('app://fieldsync/assets/index.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await get('app://fieldsync/assets/index.js', 'HEAD');
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '14', '']);
  });

  it.each([
    'app://fieldsync/../outside.txt',
    'app://fieldsync/%2e%2e/outside.txt',
    'app://fieldsync/assets/..%2f..%2foutside.txt',
    'app://fieldsync/assets%5c..%5c..%5coutside.txt',
    'app://fieldsync/.env',
    'app://fieldsync/assets',
    'app://fieldsync/nope.js',
    'app://fieldsync/index.html%00.js',
    'app://other/index.html',
    'app://fieldsync.evil/index.html',
  ])('answers 404 to %s, with the headers, and never a file outside the build', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(await res.text()).not.toMatch(/outside|SECRET/);
  });

  it('does not follow a symlink out of the build', async () => {
    symlinkSync(join(dir.path, 'outside.txt'), join(dir.path, 'renderer', 'assets', 'link.txt'));
    const res = await get('app://fieldsync/assets/link.txt');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('outside');
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const res = await get(APP_INDEX_URL, 'POST');
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('asks Electron for a standard, secure scheme, and nothing more', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true });
  });
});
