/**
 * The bound on requests in flight (rate-limit.ts), alone: the per-user places the sync route
 * takes before a body is read, and the per-address connection bound (connection-limits.ts).
 * `load-shedding.test.ts` shows the same bound over real HTTP; these cases pin each edge of
 * it, which a server on loopback can only reach one timing at a time.
 */
import { describe, expect, it } from 'vitest';
import { createInflightLimiter } from '../rate-limit.ts';

describe('the in-flight limiter', () => {
  it('takes exactly maxPerUser places for one user, and not one more', () => {
    const l = createInflightLimiter({ max: Infinity, maxPerUser: 2 });
    expect(l.tryAcquire('a')).toBeTypeOf('function');
    expect(l.tryAcquire('a')).toBeTypeOf('function');
    expect(l.tryAcquire('a')).toBeNull();
    expect(l.inflight).toBe(2);
    // Another user has places of its own.
    expect(l.tryAcquire('b')).toBeTypeOf('function');
    expect(l.inflight).toBe(3);
  });

  it('takes exactly max places in all, whoever asks', () => {
    const l = createInflightLimiter({ max: 2, maxPerUser: 10 });
    expect(l.tryAcquire('a')).not.toBeNull();
    expect(l.tryAcquire('b')).not.toBeNull();
    expect(l.tryAcquire('c')).toBeNull();
    expect(l.tryAcquire('a')).toBeNull();
    expect(l.inflight).toBe(2);
  });

  it('a place given back can be taken again, by its user or, under the bound in all, by another', () => {
    const l = createInflightLimiter({ max: 2, maxPerUser: 1 });
    const a = l.tryAcquire('a');
    const b = l.tryAcquire('b');
    expect(l.tryAcquire('c')).toBeNull();
    a?.();
    expect(l.inflight).toBe(1);
    const again = l.tryAcquire('a');
    expect(again).not.toBeNull();
    expect(l.inflight).toBe(2);
    b?.();
    again?.();
    expect(l.inflight).toBe(0);
    expect(l.tryAcquire('c')).not.toBeNull();
  });

  it('a user with two places keeps the second when it gives back the first', () => {
    const l = createInflightLimiter({ max: Infinity, maxPerUser: 2 });
    const first = l.tryAcquire('a');
    l.tryAcquire('a');
    first?.();
    expect(l.inflight).toBe(1);
    // One place free for `a`, not two: its count went from 2 to 1, not away.
    expect(l.tryAcquire('a')).not.toBeNull();
    expect(l.tryAcquire('a')).toBeNull();
  });

  it('giving back a place twice gives back one place: the second call does nothing', () => {
    const l = createInflightLimiter({ max: 1, maxPerUser: 1 });
    const a = l.tryAcquire('a');
    const b = l.tryAcquire('b');
    expect(b).toBeNull();
    a?.();
    a?.();
    expect(l.inflight).toBe(0);
    expect(l.tryAcquire('a')).not.toBeNull();
    // Had the second call counted, the bound in all would now let a second request in.
    expect(l.tryAcquire('b')).toBeNull();
    expect(l.inflight).toBe(1);
  });

  it('a user whose last place went back starts from none: all its places are free again', () => {
    const l = createInflightLimiter({ max: Infinity, maxPerUser: 2 });
    const releases = [l.tryAcquire('a'), l.tryAcquire('a')];
    for (const r of releases) r?.();
    expect(l.inflight).toBe(0);
    expect(l.tryAcquire('a')).not.toBeNull();
    expect(l.tryAcquire('a')).not.toBeNull();
    expect(l.tryAcquire('a')).toBeNull();
  });
});
