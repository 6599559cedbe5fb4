/**
 * A value's element bound is met before its elements are listed (round 64, attacker review of
 * round 63's "4 MiB of scalars in one array"). A JSON text of 64 KiB holds at most 65,536
 * elements, yet the walk listed every key of an array (`Object.keys`: one string each) and
 * pushed every element before counting: one pushed value of 2 million zeros (4 MiB, one
 * container, under the parse-cost bound) held a parse worker 6-7 times as long in this check
 * as in JSON.parse, to be refused. Counted here by what the walk reads of an array, through a
 * proxy: no timing.
 */
import { describe, expect, it } from 'vitest';
import { VALUE_MAX_BYTES, valueError } from '../message.ts';
import { parseSyncBody } from '../server/index.ts';

/** `array` behind a proxy that counts the element reads and key listings the walk makes of it. */
function counted(array: unknown[]): { value: unknown[]; reads: () => number; listings: () => number } {
  let reads = 0;
  let listings = 0;
  const value = new Proxy(array, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      listings++;
      return Reflect.ownKeys(target);
    },
  });
  return { value, reads: () => reads, listings: () => listings };
}

describe('a value of more elements than 64 KiB of JSON holds', () => {
  it('is refused without reading or listing its elements (200,000 zeros)', () => {
    const c = counted(new Array<number>(200_000).fill(0));
    expect(valueError(c.value)).toBe(`value has more elements than ${VALUE_MAX_BYTES} bytes of JSON can hold`);
    expect({ reads: c.reads(), listings: c.listings() }).toEqual({ reads: 0, listings: 0 });
  });

  it('is refused nested too: the elements still to walk count (two arrays of 40,000)', () => {
    const inner = counted(new Array<number>(40_000).fill(0));
    // The plain array is walked first (the last pushed), leaving the proxy's 40,000 over the bound.
    expect(valueError([inner.value, new Array<number>(40_000).fill(0)])).toMatch(/more elements than/);
    expect(inner.reads()).toBe(0);
  });

  it('keeps taking a value at the bound, and its error for a sparse array or extra properties', () => {
    expect(valueError(new Array<number>(32_000).fill(0))).toBeNull();
    expect(valueError(Object.assign([1, 2], { label: 'x' }))).toMatch(/properties besides its elements/);
    expect(valueError([[0, 1], [2]])).toBeNull();
    // Scalars checked in place (round 64) are still checked.
    expect([valueError([1, NaN, 2]), valueError([1, undefined]), valueError([[1, () => 0]])]).toEqual([
      'value contains a number that JSON cannot represent', 'value contains undefined, which is not JSON', 'value contains a function, which is not JSON']);
  });

  it('over loopback\'s parse path (parseSyncBody): one message of 2 million zeros is invalid_message', () => {
    const body = `{"clientId":"c","cursor":0,"messages":[{"id":"m","table":"t","row":"r","column":"c","value":[${'0,'.repeat(2_000_000)}0],"hlc":"2026-11-24T15:00:00.000Z-0000-c"}]}`;
    expect(() => parseSyncBody(body)).toThrow(/message 0: value has more elements than/);
  });
});

describe('a valid push of arrays (parseSyncBody)', () => {
  it('lists no array\'s keys: JSON.parse makes no array with properties besides its elements', () => {
    // 16 values of 32,000 zeros (1 MiB): the walk listed each array's keys, a string per
    // element, 4-5 times the cost of parsing them (round 64).
    const value = `[${'0,'.repeat(31_999)}0]`;
    const messages = Array.from({ length: 16 }, (_, i) =>
      `{"id":"m${i}","table":"t","row":"r${i}","column":"c","value":${value},"hlc":"2026-11-24T15:00:00.000Z-${i.toString(16).padStart(4, '0').toUpperCase()}-c"}`);
    const body = `{"clientId":"c","cursor":0,"messages":[${messages.join(',')}]}`;
    const keys = Object.keys;
    let listed = 0;
    Object.keys = ((o: object) => {
      if (Array.isArray(o)) listed++;
      return keys(o);
    }) as typeof Object.keys;
    try {
      expect(parseSyncBody(body).messages).toHaveLength(16);
    } finally {
      Object.keys = keys;
    }
    expect(listed).toBe(0);
  });

  it('an app\'s own value with properties besides its elements is still refused (valueError)', () => {
    expect(valueError(Object.assign(new Array<number>(1000).fill(0), { label: 'x' }))).toMatch(/properties besides its elements/);
  });
});

describe('a body of many small chunks (parseSyncBody)', () => {
  it('is joined and decoded once, a character split across chunks included, and still strictly', () => {
    const bytes = new TextEncoder().encode(`{"clientId":"c","cursor":0,"messages":[{"id":"m","table":"t","row":"é😀","column":"c","value":"${'x'.repeat(10_000)}","hlc":"2026-11-24T15:00:00.000Z-0000-c"}]}`);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    const proto = TextDecoder.prototype as unknown as { decode: (...args: unknown[]) => string };
    const decode = proto.decode;
    let calls = 0;
    proto.decode = function (this: unknown, ...args: unknown[]) {
      calls++;
      return decode.apply(this, args);
    };
    try {
      expect(parseSyncBody(chunks).messages[0]?.row).toBe('é😀');
      expect(calls).toBe(1); // was one a chunk, and one more: 10,143
      chunks[5] = Uint8Array.of(0xff);
      expect(() => parseSyncBody(chunks)).toThrow('the body is not valid UTF-8');
    } finally {
      proto.decode = decode;
    }
  });
});
