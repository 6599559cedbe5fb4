/**
 * connection-limits.ts rule by rule (round 64, from its first mutation run): what an address
 * is counted under, the bound per address on connections as they open, the lingering
 * refusals' own bound, trusted proxies' connections, and the bound on a proxied client's
 * requests. The tracker runs on a server's `connection` event with sockets the test holds
 * (each counts its `destroy()` calls); linger timers run on fake time. http-edges.test.ts
 * and lingering-refusals.test.ts take the same bounds over real HTTP, one timing at a time.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addressKey, countConnections, forwardedBound, type ConnectionBounds } from '../connection-limits.ts';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroys = 0;
  /** Node emits a destroyed socket's `close` on a later tick: with `later`, only when the test calls `closed()`. */
  readonly remoteAddress: string | undefined;
  private readonly later: boolean;
  constructor(remoteAddress: string | undefined, later = false) {
    super();
    this.remoteAddress = remoteAddress;
    this.later = later;
  }
  destroy(): this {
    this.destroys++;
    if (!this.destroyed) {
      this.destroyed = true;
      if (!this.later) this.emit('close');
    }
    return this;
  }
  closed(): void {
    this.emit('close');
  }
}

function tracker(bounds: Partial<ConnectionBounds> = {}) {
  const server = new EventEmitter() as EventEmitter & { maxConnections?: number };
  const counter = countConnections(server as unknown as Server, { lingerMs: 2000, maxPerAddress: 2, max: 100, ...bounds });
  const open = (address: string | undefined, later = false): FakeSocket => {
    const s = new FakeSocket(address, later);
    server.emit('connection', s);
    return s;
  };
  return { server, counter, open, linger: (s: FakeSocket) => counter.linger(s as unknown as Socket) };
}

describe('addressKey', () => {
  it('keys IPv6 addresses by their /64 whatever their spelling', () => {
    expect(addressKey('2001:DB8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:0db8:0000:0001:0:0:0:5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('fe80:0:0:7::1%eth0')).toBe('fe80:0:0:7::/64');
    expect(addressKey('::')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::2001:db8:0:1')).toBe('0:0:0:0::/64');
    expect(addressKey('::1:2:3:4:5')).toBe('0:0:0:1::/64');
    expect(addressKey('1:2::3:4:5:6:7')).toBe('1:2:0:3::/64');
    expect(addressKey('1:2:3::4.5.6.7')).toBe('1:2:3:0::/64');
    expect(addressKey('1:2:3:4:5::6.7.8.9')).toBe('1:2:3:4::/64');
    expect(addressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    // Every IPv4 client is its own key, whatever its octets' widths (a mapped address read
    // as IPv6 would put them all in ::/64, one bound for every IPv4 client together).
    expect(addressKey('::ffff:198.51.100.254')).toBe('198.51.100.254');
    expect(addressKey('::ffff:9.99.9.99')).toBe('9.99.9.99');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('::ffff:203.0.113.7:1')).not.toBe('203.0.113.7');
    expect(addressKey('1::ffff:203.0.113.7')).toBe('1:0:0:0::/64');
  });
});

describe('countConnections', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sets the bound in all on the server, and counts each address\'s open connections until they close', () => {
    const t = tracker({ max: 7 });
    expect(t.server.maxConnections).toBe(7);
    const a = t.open('192.0.2.1');
    t.open('192.0.2.1');
    t.open('2001:db8:0:1::1');
    t.open('2001:db8:0:1::2');
    expect(t.counter.count('192.0.2.1')).toBe(2);
    expect(t.counter.count('2001:db8:0:1::99')).toBe(2);
    expect(t.counter.count('192.0.2.2')).toBe(0);
    a.destroy();
    expect(t.counter.count('192.0.2.1')).toBe(1);
    a.emit('close'); // a second close event counts nothing
    expect(t.counter.count('192.0.2.1')).toBe(1);
  });

  it('closes a connection as it opens once its address holds twice its bound, and serves again after one closes', () => {
    const t = tracker({ maxPerAddress: 2 });
    const first = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    expect(first.every((s) => !s.destroyed)).toBe(true);
    const fifth = t.open('192.0.2.1');
    expect(fifth.destroyed).toBe(true);
    expect(t.counter.count('192.0.2.1')).toBe(4);
    expect(t.open('192.0.2.2').destroyed).toBe(false);
    first[0]?.destroy();
    expect(t.counter.count('192.0.2.1')).toBe(3);
    expect(t.open('192.0.2.1').destroyed).toBe(false);
    expect(t.open('192.0.2.1').destroyed).toBe(true);
  });

  it('a lingering connection stops counting at once, and is closed after the linger', () => {
    const t = tracker({ lingerMs: 2000 });
    const s = t.open('192.0.2.1');
    t.open('192.0.2.1');
    t.linger(s);
    expect(t.counter.count('192.0.2.1')).toBe(1);
    expect(s.destroyed).toBe(false);
    vi.advanceTimersByTime(1999);
    expect(s.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.destroys).toBe(1);
    expect(t.counter.count('192.0.2.1')).toBe(1);
  });

  it('a connection that closes while it lingers is not closed again', () => {
    const t = tracker();
    const s = t.open('192.0.2.1');
    t.linger(s);
    s.destroy();
    vi.advanceTimersByTime(5000);
    expect(s.destroys).toBe(1);
  });

  it('lingering connections are bounded per address: a new one closes the oldest', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c] = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    const other = t.open('192.0.2.9');
    t.linger(a!);
    t.linger(b!);
    t.linger(other);
    expect([a, b, other].map((s) => s!.destroyed)).toEqual([false, false, false]);
    t.linger(c!);
    expect([a, b, c].map((s) => s!.destroyed)).toEqual([true, false, false]);
    expect(other.destroyed).toBe(false);
    expect(t.counter.count('192.0.2.1')).toBe(0);
  });

  it('a lingering connection that closed early no longer takes a place in that bound', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c, d] = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    t.linger(a!);
    t.linger(b!);
    a!.destroy(); // its client read the refusal and left
    t.linger(c!);
    expect([b, c].map((s) => s!.destroyed)).toEqual([false, false]);
    t.linger(d!);
    expect([b, c, d].map((s) => s!.destroyed)).toEqual([true, false, false]);
  });

  it('an address whose lingering connections all closed counts its next ones afresh, with the one still lingering', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c, d] = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    t.linger(a!);
    vi.advanceTimersByTime(2000); // a is closed: the address lingers nothing
    expect(a!.destroyed).toBe(true);
    t.linger(b!);
    t.linger(c!);
    expect([b, c].map((s) => s!.destroyed)).toEqual([false, false]);
    t.linger(d!);
    expect([b, c, d].map((s) => s!.destroyed)).toEqual([true, false, false]);
  });

  it('lingering with one of two closed keeps the other in the bound', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c, d] = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    t.linger(a!);
    t.linger(b!);
    a!.destroy();
    // b still lingers: c and d join it, and the oldest of the three goes.
    t.linger(c!);
    t.linger(d!);
    expect([b, c, d].map((s) => s!.destroyed)).toEqual([true, false, false]);
  });

  it('a connection with no address (closed before it was counted) is counted under one key of its own', () => {
    const t = tracker({ maxPerAddress: 1 });
    t.open(undefined);
    expect(t.counter.count(undefined)).toBe(1);
    expect(t.counter.count('unknown')).toBe(1);
    t.open(undefined);
    expect(t.open(undefined).destroyed).toBe(true);
    expect(t.counter.count('192.0.2.1')).toBe(0);
  });

  it('keeps the lingering bound when close events come a tick after destroy(), as Node\'s do', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c, d] = [0, 1, 2, 3].map(() => t.open('192.0.2.1', true)) as [FakeSocket, FakeSocket, FakeSocket, FakeSocket];
    t.linger(a);
    t.linger(b);
    t.linger(c); // a, the oldest, is closed; its close event has not come yet
    expect([a, b, c].map((s) => s.destroyed)).toEqual([true, false, false]);
    t.linger(d); // the oldest still open goes, not a again
    expect([b, c, d].map((s) => s.destroyed)).toEqual([true, false, false]);
    for (const s of [a, b]) s.closed();
    expect([c, d].map((s) => s.destroyed)).toEqual([false, false]);
  });

  it('a late close of a connection the bound closed does not forget the address\'s lingering ones', () => {
    const t = tracker({ maxPerAddress: 1 });
    // With a bound of 1, two connections are open at most: each opens once the one before lingers.
    const [a, b] = [t.open('192.0.2.1', true), t.open('192.0.2.1', true)];
    t.linger(a);
    t.linger(b); // closes a, whose close event comes later
    expect(a.destroyed).toBe(true);
    b.destroy();
    b.closed(); // b's client read its refusal and left: the address lingers nothing
    const c = t.open('192.0.2.1', true);
    t.linger(c);
    a.closed(); // a's close comes only now
    const d = t.open('192.0.2.1', true);
    t.linger(d);
    expect([c, d].map((s) => s.destroyed)).toEqual([true, false]);
  });

  it('a lingering connection that closed keeps no place, whichever of them closed', () => {
    const t = tracker({ maxPerAddress: 2 });
    const [a, b, c] = [t.open('192.0.2.1'), t.open('192.0.2.1'), t.open('192.0.2.1')];
    t.linger(a!);
    t.linger(b!);
    b!.destroy(); // the newer one's client left first
    t.linger(c!);
    expect([a, c].map((s) => s!.destroyed)).toEqual([false, false]);
  });

  it('a socket never counted, or closed already, is closed when told to linger', () => {
    const t = tracker({ maxPerAddress: 1 });
    t.open('192.0.2.1');
    t.open('192.0.2.1');
    const refused = t.open('192.0.2.1'); // closed as it opened: never counted
    expect(refused.destroys).toBe(1);
    const closing = t.open('192.0.2.2');
    closing.destroyed = true; // destroyed, its close event not yet emitted
    t.linger(closing);
    expect(closing.destroys).toBe(1);
    const stranger = new FakeSocket('192.0.2.3');
    t.linger(stranger);
    expect(stranger.destroys).toBe(1);
  });

  it('a trusted proxy\'s connections are not counted per address, and linger unbounded per address', () => {
    const proxy = '10.0.0.1';
    const t = tracker({ maxPerAddress: 1, lingerMs: 2000, exempt: (a) => a === proxy });
    const socks = Array.from({ length: 5 }, () => t.open(proxy));
    expect(socks.every((s) => !s.destroyed)).toBe(true);
    expect(t.counter.count(proxy)).toBe(0);
    for (const s of socks.slice(0, 4)) t.linger(s);
    expect(socks.some((s) => s.destroyed)).toBe(false);
    vi.advanceTimersByTime(1999);
    expect(socks.some((s) => s.destroyed)).toBe(false);
    socks[0]?.destroy(); // its client left first
    vi.advanceTimersByTime(1);
    expect(socks.map((s) => s.destroys)).toEqual([1, 1, 1, 1, 0]);
    // A proxy's connection already closed is left alone.
    const gone = t.open(proxy);
    gone.destroy();
    t.linger(gone);
    vi.advanceTimersByTime(5000);
    expect(gone.destroys).toBe(1);
    // The other addresses are bound as before.
    t.open('192.0.2.1');
    t.open('192.0.2.1');
    expect(t.open('192.0.2.1').destroyed).toBe(true);
  });
});

describe('forwardedBound', () => {
  it('bounds the requests in progress of each forwarded address, an IPv6 one by its /64', () => {
    const bound = forwardedBound(2);
    const r1 = bound.tryAcquire('203.0.113.5');
    const r2 = bound.tryAcquire('203.0.113.5');
    expect(r1).not.toBeNull();
    expect(r2).not.toBeNull();
    expect(bound.tryAcquire('203.0.113.5')).toBeNull();
    expect(bound.tryAcquire('203.0.113.6')).not.toBeNull();
    r1?.();
    expect(bound.tryAcquire('203.0.113.5')).not.toBeNull();
    expect(bound.tryAcquire('2001:db8:0:1::1')).not.toBeNull();
    expect(bound.tryAcquire('2001:db8:0:1::2')).not.toBeNull();
    expect(bound.tryAcquire('2001:db8:0:1::3')).toBeNull();
    expect(bound.tryAcquire('2001:db8:0:2::1')).not.toBeNull();
  });

  it('has no bound in all: many addresses each get their places', () => {
    const bound = forwardedBound(1);
    for (let i = 0; i < 500; i++) expect(bound.tryAcquire(`198.51.${i >> 8}.${i & 255}`)).not.toBeNull();
  });
});
