import { describe, expect, it } from 'vitest';
import { ClockError } from '../errors.ts';
import { HybridClock, formatHlc, hlcClientId, hlcMillis, parseHlc, tryParseHlc } from '../hlc.ts';

const T = Date.UTC(2026, 10, 24, 15, 9, 39, 123);

describe('HLC format', () => {
  it('formats exactly as docs/protocol.md shows', () => {
    expect(formatHlc({ millis: T, counter: 0, clientId: 'k3J9x2QpL0aa' })).toBe('2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa');
    expect(formatHlc({ millis: T, counter: 0xabc, clientId: 'a' })).toBe('2026-11-24T15:09:39.123Z-0ABC-a');
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

  it('throws ClockError past counter FFFF instead of wrapping', () => {
    const clock = new HybridClock({ clientId: 'c1', now: () => T });
    for (let i = 0; i <= 0xffff; i++) clock.tick();
    expect(() => clock.tick()).toThrow(ClockError);
    expect(parseHlc(formatHlc({ millis: T, counter: 0xffff, clientId: 'c1' })).counter).toBe(0xffff);
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

  it('saturates on receiving FFFF, and reports overflow only on its own next tick', () => {
    const clock = new HybridClock({ clientId: 'me', now: () => T });
    clock.receive(formatHlc({ millis: T, counter: 0xffff, clientId: 'o' }));
    expect(() => clock.tick()).toThrow(ClockError);
  });

  it('restores from the last stored timestamp, so a restart never issues an older one', () => {
    const last = formatHlc({ millis: T + 10_000, counter: 3, clientId: 'me' });
    const clock = new HybridClock({ clientId: 'me', now: () => T, last });
    expect(clock.tick() > last).toBe(true);
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
