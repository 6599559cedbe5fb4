import { describe, expect, it } from 'vitest';
import { contentType, injectHostMeta, resolveStaticPath } from '../static-files.ts';

const ROOT = '/srv/renderer';

describe('static files', () => {
  it('maps URL paths to files inside the build folder', () => {
    expect(resolveStaticPath(ROOT, '/')).toBe('/srv/renderer/index.html');
    expect(resolveStaticPath(ROOT, '/index.html')).toBe('/srv/renderer/index.html');
    expect(resolveStaticPath(ROOT, '/assets/index-abc.js')).toBe('/srv/renderer/assets/index-abc.js');
    expect(resolveStaticPath(ROOT, '/assets/a%20b.css')).toBe('/srv/renderer/assets/a b.css');
  });

  it.each([
    '/../package.json',
    '/assets/../../etc/passwd',
    '/%2e%2e/package.json',
    '/assets/%2e%2e/%2e%2e/x',
    '/..%2fpackage.json',
    '/..%5cpackage.json',
    '/assets\\..\\x',
    '/x%00.js',
    '/.env',
    '/assets/.hidden',
    '/./index.html',
    '//etc/passwd',
    '/assets//a.js',
    'index.html',
    '/%E0%A4%A',
    `/${'a'.repeat(2000)}`,
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(ROOT, path)).toBeNull();
  });

  it('knows the MIME types of a build, and falls back to bytes', () => {
    expect(contentType('a.html')).toBe('text/html; charset=utf-8');
    expect(contentType('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentType('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentType('a.svg')).toBe('image/svg+xml');
    expect(contentType('a.woff2')).toBe('font/woff2');
    expect(contentType('a.exe')).toBe('application/octet-stream');
    expect(contentType('Makefile')).toBe('application/octet-stream');
  });

  it('writes the host meta tag into <head>, escaped', () => {
    const html = '<!doctype html><html><head><meta charset="UTF-8" /><title>x</title></head><body></body></html>';
    const out = injectHostMeta(html, 'ws://127.0.0.1:1/api?key=a"b<c>&d');
    expect(out).toContain('<meta name="fieldsync-host" content="ws://127.0.0.1:1/api?key=a&quot;b&lt;c&gt;&amp;d" />');
    expect(out.indexOf('fieldsync-host')).toBeGreaterThan(out.indexOf('charset'));
    expect(out.indexOf('fieldsync-host')).toBeLessThan(out.indexOf('</head>'));
    expect(() => injectHostMeta('<html></html>', 'ws://x')).toThrow(/head/);
  });
});
