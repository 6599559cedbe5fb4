/**
 * The HLC check reads characters instead of running a regex, Date.parse and a toISOString
 * round trip per message. It must decide exactly as that round trip did: the old check is
 * kept here as the oracle, and both are run on valid timestamps across the whole range the
 * format can express, on every edge of the calendar, and on valid timestamps with one
 * character changed anywhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hlcMillis, isHlc, tryParseHlc } from '../hlc.ts';
import { messageError } from '../message.ts';

const OLD_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([0-9A-F]{4})-([A-Za-z0-9_-]{1,64})$/;

/** The check as it was (regex, Date.parse, round trip): the oracle. */
function oldParse(value: unknown): { millis: number; counter: number; clientId: string } | null {
  if (typeof value !== 'string' || value.length > 94) return null;
  const m = OLD_PATTERN.exec(value);
  if (!m) return null;
  const iso = m[1] as string;
  const millis = Date.parse(iso);
  if (!Number.isFinite(millis) || new Date(millis).toISOString() !== iso) return null;
  return { millis, counter: parseInt(m[2] as string, 16), clientId: m[3] as string };
}

const agree = (value: unknown): void => {
  const expected = oldParse(value);
  expect(tryParseHlc(value), JSON.stringify(value)).toEqual(expected);
  expect(isHlc(value), JSON.stringify(value)).toBe(expected !== null);
  if (expected) expect(hlcMillis(value as string)).toBe(expected.millis);
};

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range of the 24-character form. */
const FIRST = Date.parse('0000-01-01T00:00:00.000Z');
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

const hlcArb = fc.record({
  millis: fc.integer({ min: FIRST, max: LAST }),
  counter: fc.integer({ min: 0, max: 0xffff }),
  clientId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
}).map(({ millis, counter, clientId }) => `${new Date(millis).toISOString()}-${counter.toString(16).toUpperCase().padStart(4, '0')}-${clientId}`);

describe('the HLC check decides exactly as the regex and Date round trip did', () => {
  it('on valid timestamps across years 0 to 9999', () => {
    fc.assert(fc.property(hlcArb, (h) => {
      agree(h);
      expect(isHlc(h)).toBe(true);
    }), { numRuns: 2000, seed: 12 });
  });

  it('on a valid timestamp with one character replaced, inserted or removed anywhere', () => {
    const chars = fc.constantFrom(...'0123456789AFaf-_:.TZ /\u0000\u00e9\u{1F600}'.split(''), '');
    fc.assert(fc.property(hlcArb, fc.nat(), chars, fc.constantFrom('replace', 'insert', 'remove'), (h, at, c, how) => {
      const i = at % (h.length + 1);
      const mutated = how === 'replace' ? h.slice(0, i) + c + h.slice(i + 1) : how === 'insert' ? h.slice(0, i) + c + h.slice(i) : h.slice(0, i) + h.slice(i + 1);
      agree(mutated);
    }), { numRuns: 5000, seed: 7 });
  });

  it.each([
    ['2024-02-29', true], ['2023-02-29', false], ['2000-02-29', true], ['1900-02-29', false], ['0000-02-29', true], ['0100-02-29', false], ['0400-02-29', true],
    ['2026-04-31', false], ['2026-04-30', true], ['2026-06-31', false], ['2026-09-31', false], ['2026-11-31', false], ['2026-12-31', true],
    ['2026-00-10', false], ['2026-13-01', false], ['2026-01-00', false], ['2026-01-32', false], ['1969-12-31', true], ['0000-01-01', true], ['9999-12-31', true],
  ])('on the date %s', (date, valid) => {
    const h = `${date}T12:00:00.000Z-0000-client`;
    agree(h);
    expect(isHlc(h)).toBe(valid);
  });

  it.each([
    ['23:59:59.999', true], ['24:00:00.000', false], ['12:60:00.000', false], ['12:00:60.000', false], ['00:00:00.000', true],
    ['1a:00:00.000', false], ['12:00:00,000', false], ['12-00:00.000', false], ['12:00:00.00Z', false],
  ])('on the time %s', (time, valid) => {
    const h = `2026-11-24T${time}Z-0000-client`;
    agree(h);
    expect(isHlc(h)).toBe(valid);
  });

  it.each([
    '2026-11-24T15:09:39.123z-0000-client', '2026-11-24t15:09:39.123Z-0000-client', '+2026-11-24T15:09:39.123Z-0000-client',
    '2026-11-24T15:09:39.123Z-0000-client\n', '2026-11-24T15:09:39.123Z_0000-client', '2026-11-24T15:09:39.123Z-0000_client',
    '2026-11-24T15:09:39.123Z-000G-client', '2026-11-24T15:09:39.123Z-000a-client', `2026-11-24T15:09:39.123Z-0000-${'a'.repeat(64)}`,
    `2026-11-24T15:09:39.123Z-0000-${'a'.repeat(65)}`, '2026-11-24T15:09:39.123Z-0000-', '', 42, null, undefined, ['2026-11-24T15:09:39.123Z-0000-c'],
    '٢٠٢٦-11-24T15:09:39.123Z-0000-client', '2026-11-24T15:09:39.123Z-0000-clïent',
  ])('on %j', (value) => agree(value));

  it('a message with any of these is refused by messageError, as before', () => {
    for (const hlc of ['2026-02-30T00:00:00.000Z-0000-c', '2026-11-24T24:00:00.000Z-0000-c', '2026-11-24T15:09:39.123Z-00ab-c']) {
      expect(messageError({ hlc, table: 't', row: 'r', column: 'c', value: 1 })).toBe('hlc is not a valid HLC timestamp');
    }
    expect(messageError({ hlc: '2026-02-28T00:00:00.000Z-0000-c', table: 't', row: 'r', column: 'c', value: 1 })).toBeNull();
  });
});
