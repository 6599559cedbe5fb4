/**
 * The admission's bounds (ingest/admission.ts): requests by count, large bodies by bytes,
 * and reservations of large bodies before they are read (issue 12, many large pushes at once).
 */
import { describe, expect, it } from 'vitest';
import { createAdmission } from '../ingest/admission.ts';

const KiB = 1024;
const admission = (maxRequests = 4, maxBytes = 1000 * KiB) => createAdmission({ maxRequests, maxBytes, largeBytes: 64 * KiB });

describe('admission', () => {
  it('bounds large bodies by bytes, but never lets them crowd out small ones (count only)', () => {
    const a = admission(8);
    const big = a.tryAdmit(950 * KiB);
    expect(big).not.toBeNull();
    expect(a.tryAdmit(600 * KiB)).toBeNull(); // over the bytes
    expect(a.wouldAdmit(600 * KiB)).toBe(false);
    expect(a.tryAdmit(63 * KiB)).not.toBeNull(); // small: only the count matters
    expect(a.wouldAdmit(63 * KiB)).toBe(true);
    big?.();
    expect(a.tryAdmit(600 * KiB)).not.toBeNull();
  });

  it('always admits one request, however large, and bounds every request by count', () => {
    const a = admission(2);
    const huge = a.tryAdmit(5000 * KiB);
    expect(huge).not.toBeNull();
    expect(a.tryAdmit(100 * KiB)).toBeNull();
    expect(a.tryAdmit(1 * KiB)).not.toBeNull();
    expect(a.tryAdmit(1 * KiB)).toBeNull(); // two requests: the count is full
    huge?.();
    huge?.(); // releasing twice frees one place
    expect(a.requests).toBe(1);
  });

  it('a reservation holds bytes, not a request place, and becomes a place with the same bytes', () => {
    const a = admission(1);
    const r = a.reserve(600 * KiB);
    expect(r).not.toBeNull();
    expect(a.bytes).toBe(600 * KiB);
    expect(a.requests).toBe(0);
    expect(a.reserve(600 * KiB)).toBeNull(); // the bytes are taken: refused before it is read
    expect(a.tryAdmit(600 * KiB)).toBeNull();
    const small = a.tryAdmit(1 * KiB); // small requests are not locked out by a reservation
    expect(small).not.toBeNull();
    small?.();
    const release = r?.admit();
    expect(release).toBeTypeOf('function');
    expect([a.requests, a.bytes]).toEqual([1, 600 * KiB]);
    r?.cancel(); // a no-op once admitted
    expect(a.bytes).toBe(600 * KiB);
    release?.();
    expect([a.requests, a.bytes]).toEqual([0, 0]);
  });

  it('gives the bytes back when cancelled, or when every request place is taken at admission', () => {
    const a = admission(1);
    const r = a.reserve(600 * KiB);
    r?.cancel();
    r?.cancel();
    expect(a.bytes).toBe(0);
    expect(r?.admit()).toBeNull(); // cancelled: the body must be admitted as any other
    const held = a.reserve(600 * KiB);
    const other = a.tryAdmit(1 * KiB); // takes the only request place
    expect(held?.admit()).toBeNull();
    expect(a.bytes).toBe(0);
    other?.();
    expect([a.requests, a.bytes]).toEqual([0, 0]);
  });

  it('one large body always fits when no other is about, reserved or admitted', () => {
    const a = admission(4, 100 * KiB);
    const r = a.reserve(4000 * KiB);
    expect(r).not.toBeNull();
    expect(a.reserve(65 * KiB)).toBeNull();
    r?.cancel();
    expect(a.reserve(4000 * KiB)).not.toBeNull();
  });
});
