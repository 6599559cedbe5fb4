import { describe, expect, it } from 'vitest';
import {
  checkUpgrade,
  contentSecurityPolicy,
  createRateLimiter,
  isLoopbackAddress,
  isOwnHost,
  isOwnOrigin,
  keysMatch,
  securityHeaders,
} from '../host-security.ts';
import { createLoginCodes, createSessions } from '../host-session.ts';
import { throttleLog } from '../log-throttle.ts';

const PORT = 4100;
const KEY = 'k'.repeat(43);
const good = { remoteAddress: '127.0.0.1', url: '/api', host: `127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${PORT}` };

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

  it('lets its own page upgrade, and says why anything else is refused', () => {
    expect(checkUpgrade(good, PORT)).toEqual({ ok: true });
    const refused = (change: Partial<typeof good>) => checkUpgrade({ ...good, ...change }, PORT);
    expect(refused({ remoteAddress: '10.0.0.7' })).toEqual({ ok: false, status: 403, reason: 'not a loopback connection' });
    expect(refused({ host: `evil.example:${PORT}` })).toEqual({ ok: false, status: 421, reason: 'wrong Host header' });
    expect(refused({ url: '/other' })).toEqual({ ok: false, status: 404, reason: 'no such endpoint' });
    expect(refused({ origin: `http://127.0.0.1:${PORT + 1}` })).toEqual({ ok: false, status: 403, reason: 'wrong Origin' });
    expect(refused({ origin: undefined })).toEqual({ ok: false, status: 403, reason: 'wrong Origin' });
    expect(refused({ url: '//evil.example/api' })).toEqual({ ok: false, status: 400, reason: 'bad request URL' });
    expect(refused({ url: 'http://evil.example/api' })).toEqual({ ok: false, status: 400, reason: 'bad request URL' });
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

describe('host sessions', () => {
  it('redeems each sign-in code once', () => {
    const codes = createLoginCodes({ max: 2 });
    const a = codes.issue();
    const b = codes.issue();
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(codes.redeem(`${a}x`)).toBe(false);
    expect(codes.redeem(null)).toBe(false);
    expect(codes.redeem(a)).toBe(true);
    expect(codes.redeem(a)).toBe(false);
    const c = codes.issue();
    codes.issue(); // past the bound: the oldest (b) stops working
    expect([codes.redeem(b), codes.redeem(c)]).toEqual([false, true]);
  });

  it('lets a sign-in code expire', () => {
    let t = 0;
    const codes = createLoginCodes({ ttlMs: 1000, now: () => t });
    const a = codes.issue();
    const b = codes.issue();
    t = 999;
    expect(codes.redeem(a)).toBe(true);
    t = 1000;
    expect(codes.redeem(b)).toBe(false);
    expect(codes.outstanding).toBe(0);
  });

  it('keeps a bounded number of random sessions, each until it expires', () => {
    let t = 0;
    const sessions = createSessions({ max: 2, ttlMs: 1000, now: () => t });
    const a = sessions.create();
    expect(a.id).toMatch(/^[\w-]{43}$/);
    expect(a.secret).toMatch(/^[\w-]{43}$/);
    expect(a.secret).not.toBe(a.id);
    expect(sessions.secret(a.id)).toBe(a.secret);
    expect(sessions.secret(a.secret)).toBeNull();
    expect(sessions.secret(undefined)).toBeNull();
    const b = sessions.create();
    sessions.create(); // past the bound: the oldest (a) is gone
    expect([sessions.secret(a.id), sessions.secret(b.id)]).toEqual([null, b.secret]);
    t = 1000;
    expect(sessions.secret(b.id)).toBeNull();
    // A new set (a restarted host) knows none of them.
    expect(createSessions().secret(b.id)).toBeNull();
  });
});

describe('log throttle', () => {
  it('writes a burst, then one line that counts the rest', () => {
    let t = 0;
    const lines: string[] = [];
    const log = throttleLog((m) => lines.push(m), { burst: 3, windowMs: 60_000, what: 'refused upgrades', now: () => t });
    for (let i = 0; i < 50; i++) log(`refused ${i}`);
    expect(lines).toEqual(['refused 0', 'refused 1', 'refused 2']);
    t += 60_000;
    log('refused later');
    expect(lines.slice(3)).toEqual(['… and 47 more refused upgrades in the last 60 s', 'refused later']);
    log.flush();
    expect(lines).toHaveLength(5);
  });
});
