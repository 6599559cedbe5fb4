import { describe, expect, it } from 'vitest';
import { ClockError, ValidationError } from '../errors.ts';
import { formatHlc, hlcClientId, hlcMillis, isHlc, parseHlc, tryParseHlc } from '../hlc.ts';
import { HybridClock, nextTimestamp, receiveTimestamp } from '../hybrid-clock.ts';

const T = Date.UTC(2026, 10, 24, 15, 9, 39, 123);

describe('HLC format', () => {
  it('formats exactly as docs/protocol.md shows', () => {
    expect(formatHlc({ millis: T, counter: 0, clientId: 'k3J9x2QpL0aa' })).toBe('2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa');
    expect(formatHlc({ millis: T, counter: 0xabc, clientId: 'a' })).toBe('2026-11-24T15:09:39.123Z-0ABC-a');
  });

  it('refuses what is not a timestamp with a ValidationError: null was a TypeError, no clientId made "-undefined"', () => {
    for (const ts of [null, undefined, { millis: T, counter: 0 }, { millis: T, counter: 0, clientId: 5 }]) {
      expect(() => formatHlc(ts as never)).toThrow(ValidationError);
    }
  });

  it('parses what it formats, and extracts parts', () => {
    const s = formatHlc({ millis: T, counter: 65535, clientId: 'x_-Y9' });
    expect(parseHlc(s)).toEqual({ millis: T, counter: 65535, clientId: 'x_-Y9' });
    expect(hlcClientId(s)).toBe('x_-Y9');
    expect(hlcMillis(s)).toBe(T);
  });

  it.each([
    ['lower-case counter', '2026-11-24T15:09:39.123Z-00ab-client'],
    ['impossible date', '2026-02-30T15:09:39.123Z-0000-client'],
    ['no milliseconds', '2026-11-24T15:09:39Z-0000-client'],
    ['bad clientId', '2026-11-24T15:09:39.123Z-0000-cli.ent'],
    ['long clientId', `2026-11-24T15:09:39.123Z-0000-${'a'.repeat(65)}`],
    ['empty clientId', '2026-11-24T15:09:39.123Z-0000-'],
    ['five-digit counter', '2026-11-24T15:09:39.123Z-00000-client'],
    ['not a string', 42],
  ])('rejects %s', (_name, value) => {
    expect(tryParseHlc(value)).toBeNull();
    expect(() => parseHlc(value)).toThrow();
  });

  it('orders by plain string comparison: time, then counter, then clientId', () => {
    const a = formatHlc({ millis: T, counter: 1, clientId: 'zzz' });
    const b = formatHlc({ millis: T, counter: 2, clientId: 'aaa' });
    const c = formatHlc({ millis: T + 1, counter: 0, clientId: 'aaa' });
    expect([c, b, a].sort()).toEqual([a, b, c]);
  });
});

describe('HybridClock', () => {
  it('is monotonic when the physical clock stands still or goes backwards', () => {
    let now = T;
    const clock = new HybridClock({ clientId: 'c1', now: () => now });
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      seen.push(clock.tick());
      now += i % 3 === 0 ? -5 : 0;
    }
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('resets the counter when physical time moves on', () => {
    let now = T;
    const clock = new HybridClock({ clientId: 'c1', now: () => now });
    clock.tick();
    clock.tick();
    now += 1;
    expect(parseHlc(clock.tick()).counter).toBe(0);
  });

  it('moves the logical time on by 1 ms when the counter is full, instead of failing or wrapping', () => {
    const clock = new HybridClock({ clientId: 'c1', now: () => T });
    let last = '';
    for (let i = 0; i <= 0xffff; i++) last = clock.tick();
    expect(parseHlc(last)).toMatchObject({ millis: T, counter: 0xffff });
    const next = clock.tick();
    expect(parseHlc(next)).toMatchObject({ millis: T + 1, counter: 0 });
    expect(next > last).toBe(true);
  });

  it('every tick is formatHlc of its state: all counters, and the next millisecond, after a restore and a receive', () => {
    let now = T;
    const clock = new HybridClock({ clientId: 'Ab_-9', now: () => now });
    const ticks = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const hlc = clock.tick();
        const expected = formatHlc({ ...clock.state, clientId: 'Ab_-9' });
        if (hlc !== expected) throw new Error(`tick ${i}: ${hlc}, expected ${expected}`);
      }
    };
    ticks(0x10001); // counters 0 to FFFF, then T + 1
    now = T + 5;
    ticks(3);
    clock.restore(formatHlc({ millis: T + 2, counter: 0xabc, clientId: 'Ab_-9' }));
    now = T;
    ticks(3); // T + 2 again, after T + 5
    clock.receive(formatHlc({ millis: Date.UTC(2030, 0, 1), counter: 7, clientId: 'other' }));
    ticks(3);
    expect(clock.state).toEqual({ millis: Date.UTC(2030, 0, 1), counter: 11 });
  });

  it('follows the receive rule: the next tick is after any received timestamp', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    const remote = formatHlc({ millis: T + 60_000, counter: 7, clientId: 'other' });
    clock.receive(remote);
    const next = clock.tick();
    expect(next > remote).toBe(true);
    expect(parseHlc(next)).toMatchObject({ millis: T + 60_000, counter: 9 });
  });

  it('receive with all three times equal takes the greater counter plus one', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    clock.tick(); // T/0
    clock.tick(); // T/1
    clock.receive(formatHlc({ millis: T, counter: 5, clientId: 'o' }));
    expect(clock.state).toEqual({ millis: T, counter: 6 });
    clock.receive(formatHlc({ millis: T - 10, counter: 99, clientId: 'o' }));
    expect(clock.state).toEqual({ millis: T, counter: 7 });
  });

  it('receiving a full counter moves past it too', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    const remote = formatHlc({ millis: T, counter: 0xffff, clientId: 'o' });
    clock.receive(remote);
    expect(clock.state).toEqual({ millis: T + 1, counter: 0 });
    expect(clock.tick() > remote).toBe(true);
  });

  it('a burst of 100 000 timestamps right after receiving one stamped 4 minutes ahead: all in order, no ClockError', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    const ahead = formatHlc({ millis: T + 4 * 60_000, counter: 0, clientId: 'fast' });
    clock.receive(ahead);
    let previous = ahead;
    for (let i = 0; i < 100_000; i++) {
      const next = clock.tick();
      if (!(next > previous)) throw new Error(`timestamp ${i} (${next}) is not after ${previous}`);
      previous = next;
    }
    // Receiving took counter 1; ticks took 2 to FFFF (65 534 of them), the rest the next millisecond.
    expect(parseHlc(previous)).toMatchObject({ millis: T + 4 * 60_000 + 1, counter: 100_000 - 65_534 - 1 });
  });

  it('the last millisecond the format can express is the end: then ClockError', () => {
    const end = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const clock = new HybridClock({ clientId: 'me', now: () => end, last: formatHlc({ millis: end, counter: 0xfffe, clientId: 'me' }) });
    expect(parseHlc(clock.tick())).toMatchObject({ millis: end, counter: 0xffff });
    expect(() => clock.tick()).toThrow(ClockError);
    expect(() => clock.tick()).toThrow('HLC time overflow: no timestamp after 9999-12-31T23:59:59.999Z');
  });

  it('restores from the last stored timestamp, so a restart never issues an older one', () => {
    const last = formatHlc({ millis: T + 10_000, counter: 3, clientId: 'me' });
    const clock = new HybridClock({ clientId: 'me', now: () => T, last });
    expect(clock.tick() > last).toBe(true);
  });

  it('passed(): a timestamp at most the last one it issued, and none once a restore may have set the clock back', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    const at = (millis: number, counter: number, clientId: string): string => formatHlc({ millis, counter, clientId });
    expect(clock.passed(at(0, 0, 'a'))).toBe(false); // nothing issued yet
    const first = clock.tick();
    expect([first, at(T, 0, 'aa'), at(T - 1, 9, 'zz')].map((h) => clock.passed(h))).toEqual([true, true, true]);
    expect([at(T, 0, 'zz'), at(T, 1, 'aa')].map((h) => clock.passed(h))).toEqual([false, false]);
    const second = clock.tick();
    expect(clock.passed(second) && second > first).toBe(true);
    // A restore may set the clock back (a clock_drift restamp): its later ticks can be smaller than `second`.
    clock.restore(at(T - 5000, 0, 'me'));
    expect(clock.passed(second)).toBe(false);
    expect(clock.passed(first)).toBe(false);
    // A receive only moves the clock on: what it had passed, it still has.
    const third = clock.tick();
    clock.receive(at(T + 60_000, 0, 'ahead'));
    expect(clock.passed(third)).toBe(true);
    // Whatever passed() says of a timestamp, the next tick is greater.
    const asked = [first, second, third, at(T + 60_000, 0, 'ahead'), at(T + 60_000, 1, 'me')];
    const said = asked.map((h) => clock.passed(h));
    const next = clock.tick();
    asked.forEach((h, i) => expect(!said[i] || next > h).toBe(true));
  });

  it('applies the learnt offset to physical time', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T, offsetMs: -3_600_000 });
    expect(parseHlc(clock.tick()).millis).toBe(T - 3_600_000);
    clock.setOffset(500);
    expect(parseHlc(clock.tick()).millis).toBe(T + 500);
  });

  it('rejects a bad clientId', () => {
    expect(() => new HybridClock({ clientId: 'has space' })).toThrow(/clientId/);
  });
});

describe('the clock rules are pure functions of (state, time)', () => {
  const at = (millis: number, counter: number) => ({ millis, counter });

  it('send: a later physical time starts a new millisecond; otherwise the counter counts', () => {
    expect(nextTimestamp(at(T, 5), T + 1)).toEqual(at(T + 1, 0));
    expect(nextTimestamp(at(T, 5), T)).toEqual(at(T, 6));
    expect(nextTimestamp(at(T, 5), T - 1000)).toEqual(at(T, 6));
    expect(nextTimestamp(at(T, 0xffff), T)).toEqual(at(T + 1, 0));
    expect(nextTimestamp(at(T, 0xfffe), T)).toEqual(at(T, 0xffff));
  });

  it('receive: past the last state, the remote one and the physical time', () => {
    expect(receiveTimestamp(at(T, 3), at(T - 5, 9), T + 10)).toEqual(at(T + 10, 0));
    expect(receiveTimestamp(at(T, 3), at(T, 9), T)).toEqual(at(T, 10));
    expect(receiveTimestamp(at(T, 9), at(T, 3), T)).toEqual(at(T, 10));
    expect(receiveTimestamp(at(T, 3), at(T + 60_000, 7), T)).toEqual(at(T + 60_000, 8));
    expect(receiveTimestamp(at(T + 60_000, 7), at(T, 3), T)).toEqual(at(T + 60_000, 8));
    expect(receiveTimestamp(at(T, 3), at(T + 1, 0), T + 1)).toEqual(at(T + 1, 1));
    expect(receiveTimestamp(at(T + 1, 4), at(T, 0), T + 1)).toEqual(at(T + 1, 5));
    expect(receiveTimestamp(at(T, 0xffff), at(T, 2), T)).toEqual(at(T + 1, 0));
    expect(receiveTimestamp(at(T, 2), at(T + 5, 0xffff), T)).toEqual(at(T + 6, 0));
  });

  it('the same inputs give the same state, and neither input is changed', () => {
    const last = Object.freeze(at(T, 3));
    const remote = Object.freeze(at(T + 2, 1));
    expect(receiveTimestamp(last, remote, T)).toEqual(receiveTimestamp(last, remote, T));
    expect(nextTimestamp(last, T)).toEqual(nextTimestamp(last, T));
  });
});

describe('edges of the format and the clock', () => {
  it.each([
    ['a negative time', { millis: -1, counter: 0, clientId: 'a' }],
    ['a time past year 9999', { millis: Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1, counter: 0, clientId: 'a' }],
    ['a fractional time', { millis: T + 0.5, counter: 0, clientId: 'a' }],
    ['a negative counter', { millis: T, counter: -1, clientId: 'a' }],
    ['a counter past FFFF', { millis: T, counter: 0x10000, clientId: 'a' }],
    ['a fractional counter', { millis: T, counter: 1.5, clientId: 'a' }],
    ['a bad clientId', { millis: T, counter: 0, clientId: 'a.b' }],
  ])('formatHlc refuses %s', (_name, ts) => {
    expect(() => formatHlc(ts)).toThrow(/HLC|clientId/);
  });

  it('formats the extremes it accepts', () => {
    expect(formatHlc({ millis: 0, counter: 0, clientId: 'a' })).toBe('1970-01-01T00:00:00.000Z-0000-a');
    expect(formatHlc({ millis: Date.UTC(9999, 11, 31, 23, 59, 59, 999), counter: 0xffff, clientId: 'a' })).toBe('9999-12-31T23:59:59.999Z-FFFF-a');
  });

  it('parses the longest HLC there is (a clientId of 64 characters), and nothing longer', () => {
    const id = 'x'.repeat(64);
    const longest = formatHlc({ millis: T, counter: 1, clientId: id });
    expect(longest.length).toBe(94);
    expect(tryParseHlc(longest)).toEqual({ millis: T, counter: 1, clientId: id });
    expect(tryParseHlc(`${longest}x`)).toBeNull();
  });

  it('parses only a whole string that is an HLC', () => {
    const valid = formatHlc({ millis: T, counter: 1, clientId: 'a' });
    expect(tryParseHlc(`x${valid}`)).toBeNull();
    expect(tryParseHlc(`${valid} `)).toBeNull();
    // Not a string, even one that turns into a valid HLC when converted.
    expect(tryParseHlc({ toString: () => valid })).toBeNull();
    expect(tryParseHlc(null)).toBeNull();
    const err = (() => {
      try {
        parseHlc('z'.repeat(300));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'invalid_argument', message: `not an HLC timestamp: ${'z'.repeat(100)}` });
  });

  it('refuses bad input with an invalid_argument error that says what is wrong', () => {
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return null;
    };
    const clientIdRule = 'clientId must match ^[A-Za-z0-9_-]{1,64}$';
    expect(thrown(() => new HybridClock({ clientId: '' }))).toMatchObject({ code: 'invalid_argument', message: clientIdRule });
    expect(thrown(() => formatHlc({ millis: T, counter: 0, clientId: '' }))).toMatchObject({ code: 'invalid_argument', message: clientIdRule });
    expect(thrown(() => formatHlc({ millis: -1, counter: 0, clientId: 'a' }))).toMatchObject({ code: 'invalid_argument', message: 'HLC time out of range: -1' });
    expect(thrown(() => formatHlc({ millis: T, counter: -1, clientId: 'a' }))).toMatchObject({ code: 'invalid_argument', message: 'HLC counter out of range: -1' });
    expect(thrown(() => new HybridClock({ clientId: 'a' }).setOffset(Number.NaN))).toMatchObject({ code: 'invalid_argument', message: 'offset must be finite' });
  });

  it('a physical clock past year 9999 makes tick() throw and leaves the clock as it was', () => {
    const end = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    let now = T;
    const clock = new HybridClock({ clientId: 'me', now: () => now });
    const first = clock.tick();
    now = end + 1;
    expect(() => clock.tick()).toThrow(expect.objectContaining({ name: 'ClockError', code: 'clock_overflow', message: `HLC time overflow: the clock reads ${end + 1} ms, after year 9999` }));
    expect(clock.state).toEqual({ millis: T, counter: 0 });
    now = T;
    expect(clock.tick() > first).toBe(true);
  });

  it('without an injected clock it reads Date.now, with no correction', () => {
    const clock = new HybridClock({ clientId: 'me' });
    const before = Date.now();
    const ts = parseHlc(clock.tick());
    expect(ts.millis).toBeGreaterThanOrEqual(before);
    expect(ts.millis).toBeLessThanOrEqual(Date.now());
    expect(clock.offsetMs).toBe(0);
    expect(clock.physicalNow()).toBeGreaterThanOrEqual(before);
  });

  it('physical time is the local clock plus the correction, rounded down to the millisecond', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T + 0.9, offsetMs: 2 });
    expect(clock.physicalNow()).toBe(T + 2);
    clock.setOffset(-1.4);
    expect(clock.offsetMs).toBe(-1);
    expect(() => clock.setOffset(Number.NaN)).toThrow('offset must be finite');
    expect(() => clock.setOffset(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(clock.offsetMs).toBe(-1);
  });

  it('restore(null) takes the clock back to zero; restore(hlc) to exactly that timestamp', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T, last: formatHlc({ millis: T + 5000, counter: 7, clientId: 'me' }) });
    expect(clock.state).toEqual({ millis: T + 5000, counter: 7 });
    clock.restore(null);
    expect(clock.state).toEqual({ millis: 0, counter: 0 });
    expect(parseHlc(clock.tick())).toMatchObject({ millis: T, counter: 0 });
    clock.restore(formatHlc({ millis: T + 9, counter: 3, clientId: 'other' }));
    expect(clock.state).toEqual({ millis: T + 9, counter: 3 });
    expect(() => clock.restore('not an hlc')).toThrow();
    expect(() => clock.receive('not an hlc')).toThrow();
  });

  it('a clock without `last` starts from zero, and its first tick is the physical time', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T, last: null });
    expect(clock.state).toEqual({ millis: 0, counter: 0 });
    expect(clock.tick()).toBe(formatHlc({ millis: T, counter: 0, clientId: 'me' }));
    expect(clock.clientId).toBe('me');
  });
});

describe('timestamps of one second after another (read from the second already checked)', () => {
  it('reads only the milliseconds of the next one, and still refuses what follows it badly', () => {
    const first = '2026-03-04T05:06:07.100Z-0000-dev';
    expect(tryParseHlc(first)?.millis).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 100));
    expect(tryParseHlc('2026-03-04T05:06:07.999Z-0001-dev')?.millis).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 999));
    expect(hlcMillis('2026-03-04T05:06:07.042Z-0000-dev')).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 42));
    for (const bad of ['2026-03-04T05:06:07.1x0Z-0000-dev', '2026-03-04T05:06:07.100z-0000-dev', '2026-03-04T05:06:07.100Z-000g-dev', '2026-03-04T05:06:07.100Z-0000-']) {
      expect(tryParseHlc(first)).not.toBeNull();
      expect(tryParseHlc(bad), bad).toBeNull();
    }
    // Another second, then back: each is read in full once.
    expect(tryParseHlc('2026-03-04T05:06:08.000Z-0000-dev')?.millis).toBe(Date.UTC(2026, 2, 4, 5, 6, 8, 0));
    expect(tryParseHlc('2026-02-30T05:06:08.000Z-0000-dev')).toBeNull();
    expect(tryParseHlc(first)?.millis).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 100));
  });

  it('isHlc, which computes no time within the second already read, refuses the same', () => {
    const first = '2026-03-04T05:06:07.100Z-0000-dev';
    for (const bad of ['2026-03-04T05:06:07.1x0Z-0000-dev', '2026-03-04T05:06:07.-10Z-0000-dev', '2026-03-04T05:06:07.100z-0000-dev', '2026-03-04T05:06:07.100Z-000g-dev', '2026-03-04T05:06:07.100Z-0000-']) {
      expect(isHlc(first)).toBe(true);
      expect(isHlc(bad), bad).toBe(false);
    }
    expect(isHlc('2026-03-04T05:06:07.999Z-FFFF-dev')).toBe(true);
    expect(isHlc('2026-02-30T05:06:07.100Z-0000-dev')).toBe(false);
  });
});
