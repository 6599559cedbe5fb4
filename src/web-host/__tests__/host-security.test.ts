import { describe, expect, it } from 'vitest';
import {
  checkUpgrade,
  contentSecurityPolicy,
  createRateLimiter,
  isLoopbackAddress,
  isOwnHost,
  isOwnOrigin,
  isWellFormedKey,
  keysMatch,
  newInstanceKey,
  securityHeaders,
} from '../host-security.ts';

const PORT = 4100;
const KEY = 'k'.repeat(43);
const good = { remoteAddress: '127.0.0.1', url: `/api?key=${KEY}`, host: `127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${PORT}` };

describe('host security checks', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.168.1.2', false],
    ['::ffff:10.0.0.1', false],
    ['0.0.0.0', false],
    ['fe80::1', false],
    ['1270.0.0.1', false],
    [undefined, false],
  ])('isLoopbackAddress(%s) = %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });

  it('accepts only its own Host, never another name for it (DNS rebinding) or another port', () => {
    expect(isOwnHost(`127.0.0.1:${PORT}`, PORT)).toBe(true);
    for (const host of [`localhost:${PORT}`, `evil.example:${PORT}`, '127.0.0.1', `127.0.0.1:${PORT + 1}`, `127.0.0.1:${PORT}.evil.example`, undefined]) {
      expect(isOwnHost(host, PORT)).toBe(false);
    }
  });

  it('accepts only its own origin: not another instance, not another site, not a missing or opaque one', () => {
    expect(isOwnOrigin(`http://127.0.0.1:${PORT}`, PORT)).toBe(true);
    for (const origin of [`http://127.0.0.1:${PORT + 1}`, `http://localhost:${PORT}`, 'https://evil.example', 'null', `https://127.0.0.1:${PORT}`, `http://127.0.0.1:${PORT}/`, undefined]) {
      expect(isOwnOrigin(origin, PORT)).toBe(false);
    }
  });

  it('compares keys exactly', () => {
    expect(keysMatch(KEY, KEY)).toBe(true);
    expect(keysMatch(`${KEY}x`, KEY)).toBe(false);
    expect(keysMatch(KEY.slice(1), KEY)).toBe(false);
    expect(keysMatch('', KEY)).toBe(false);
    expect(keysMatch(null, KEY)).toBe(false);
  });

  it('makes random, well-formed keys', () => {
    const a = newInstanceKey();
    expect(isWellFormedKey(a)).toBe(true);
    expect(a).not.toBe(newInstanceKey());
    expect(isWellFormedKey('short')).toBe(false);
    expect(isWellFormedKey(`${'a'.repeat(40)}&x=1`)).toBe(false);
  });

  it('lets its own page upgrade, and says why anything else is refused', () => {
    expect(checkUpgrade(good, PORT, KEY)).toEqual({ ok: true });
    const refused = (change: Partial<typeof good>) => checkUpgrade({ ...good, ...change }, PORT, KEY);
    expect(refused({ remoteAddress: '10.0.0.7' })).toEqual({ ok: false, status: 403, reason: 'not a loopback connection' });
    expect(refused({ host: `evil.example:${PORT}` })).toEqual({ ok: false, status: 421, reason: 'wrong Host header' });
    expect(refused({ url: `/other?key=${KEY}` })).toEqual({ ok: false, status: 404, reason: 'no such endpoint' });
    expect(refused({ origin: `http://127.0.0.1:${PORT + 1}` })).toEqual({ ok: false, status: 403, reason: 'wrong Origin' });
    expect(refused({ origin: undefined })).toEqual({ ok: false, status: 403, reason: 'wrong Origin' });
    expect(refused({ url: '/api' })).toEqual({ ok: false, status: 403, reason: 'wrong key' });
    expect(refused({ url: `/api?key=${KEY}x` })).toEqual({ ok: false, status: 403, reason: 'wrong key' });
    expect(refused({ url: `//evil.example/api?key=${KEY}` })).toEqual({ ok: false, status: 400, reason: 'bad request URL' });
    expect(refused({ url: `http://evil.example/api?key=${KEY}` })).toEqual({ ok: false, status: 400, reason: 'bad request URL' });
  });

  it('sends a strict CSP and the usual security headers', () => {
    const csp = contentSecurityPolicy(PORT);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${PORT}`);
    expect(csp).not.toContain('unsafe');
    expect(securityHeaders(PORT)).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': csp });
  });

  it('rate-limits with a token bucket', () => {
    let t = 0;
    const limiter = createRateLimiter({ perSecond: 10, burst: 3, now: () => t });
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
    t += 100; // one token back
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
    t += 10_000; // never more than the burst
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
  });
});
