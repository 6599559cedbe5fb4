/**
 * Hybrid logical clock, exactly as docs/protocol.md section 2 defines it:
 *
 *     2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa
 *     UTC time (ms, 24 chars) - counter (4 upper-case hex) - clientId
 *
 * Timestamps order by plain string comparison, and the clientId makes the order total. This
 * file is the timestamps' text (formatting, parsing, checks); the clock that issues them is in
 * hybrid-clock.ts.
 */
import { errorText, invalidArgument } from './errors.ts';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_COUNTER = 0xffff;
/** The latest time the 24-character ISO form can express (9999-12-31T23:59:59.999Z). */
export const MAX_MILLIS = 253402300799999;

export interface Timestamp {
  readonly millis: number;
  readonly counter: number;
  readonly clientId: string;
}

export function formatHlc(ts: Timestamp): string {
  // Null or undefined: a ValidationError about the time below, not a TypeError from destructuring.
  const { millis, counter, clientId } = ts ?? ({} as Partial<Timestamp>);
  if (!Number.isInteger(millis) || millis < 0 || millis > MAX_MILLIS) {
    throw invalidArgument(`HLC time out of range: ${errorText(millis).slice(0, 40)}`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw invalidArgument(`HLC counter out of range: ${errorText(counter).slice(0, 40)}`);
  }
  checkClientId(clientId);
  return hlcText(millis, counter, clientId);
}

/** The text of a timestamp whose parts are known to be valid (a clock's own). */
const hlcText = (millis: number, counter: number, clientId: string): string =>
  `${new Date(millis).toISOString()}-${counter.toString(16).toUpperCase().padStart(4, '0')}-${clientId}`;

export function checkClientId(clientId: string): void {
  // test() would read undefined as the text "undefined", a valid clientId.
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) throw invalidArgument(`clientId must match ${CLIENT_ID_PATTERN.source}`);
}

/**
 * The value of `s`'s `n` decimal digits from `at`, or -1 when one is not a digit. Like every
 * check below it reads characters only: validating a message allocates nothing.
 */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** 400 years of the Gregorian calendar, in ms: the calendar repeats after them (146,097 days). */
const CYCLE_MS = 146_097 * 86_400_000;

/**
 * The time of an HLC's first 24 characters (`YYYY-MM-DDTHH:MM:SS.mmmZ`) in milliseconds, or
 * NaN when they are not a real UTC time: a date such as 2026-02-30, which Date.parse would
 * roll over, is refused, exactly as a round trip through Date would refuse it.
 */
function timeMillis(s: string): number {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  // The days of a month: 31 for January, March, May, July, August, October and December
  // (odd months up to July, even ones from August: the low bit of month ^ (month >> 3)).
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : 30 + ((month ^ (month >> 3)) & 1))) return NaN;
  // 400 years later, the same date falls on the same day of the cycle; and Date.UTC reads
  // years 0 to 99 as 1900 to 1999, which year + 400 never is.
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - CYCLE_MS;
}

/**
 * The last valid timestamp's date and time to the second (`YYYY-MM-DDTHH:MM:SS.`, 20
 * characters), and that second in ms. Timestamps come in runs of one second (a page of pulled
 * messages, a burst of writes): one that starts the same needs only its milliseconds read.
 */
let secondText: string | null = null;
let secondMillis = 0;

function cachedTimeMillis(s: string): number {
  if (secondText !== null && s.startsWith(secondText)) {
    const ms = digits(s, 20, 3);
    return ms < 0 || s.charCodeAt(23) !== 90 ? NaN : secondMillis + ms;
  }
  const t = timeMillis(s);
  if (!Number.isNaN(t)) {
    // A copy of its own: V8 keeps a slice of 13 characters or more as a view into `s`, and
    // `startsWith` against such a view costs about 15 ns more per call (isHlc: 96 → 80 ns).
    // toLowerCase() changes the `T`, so it copies; toUpperCase() changes it back, in a copy
    // again. About 70 ns, against 320 for split('').join('') (a string per character).
    secondText = s.slice(0, 20).toLowerCase().toUpperCase();
    secondMillis = t - digits(s, 20, 3);
  }
  return t;
}

export const HEX = '0123456789ABCDEF';

/** `[0-9A-F]` */
const isUpperHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70);
/** `[A-Za-z0-9_-]` */
const isIdChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/** The parts of an HLC after its time: its length, the dashes, the counter and the clientId. */
function hasHlcTail(value: string): boolean {
  const n = value.length;
  if (n < 31 || n > 94 || value.charCodeAt(24) !== 45 || value.charCodeAt(29) !== 45) return false;
  for (let i = 25; i < 29; i++) if (!isUpperHex(value.charCodeAt(i))) return false;
  for (let i = 30; i < n; i++) if (!isIdChar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * True when `value` is an HLC timestamp (see `tryParseHlc`). Every pulled and pushed message
 * is checked with it, so it reads characters and allocates nothing. Within a second already
 * read, only the milliseconds and `Z` are: no time is computed (a number that would be boxed
 * per call).
 */
export function isHlc(value: unknown): value is string {
  if (typeof value !== 'string' || !hasHlcTail(value)) return false;
  if (secondText !== null && value.startsWith(secondText)) return digits(value, 20, 3) >= 0 && value.charCodeAt(23) === 90;
  return !Number.isNaN(cachedTimeMillis(value));
}

/**
 * Parses an HLC timestamp (docs/protocol.md section 2), or returns null when `value` is not
 * one: a real UTC time, a counter of four upper-case hex digits and a clientId of 1 to 64
 * `[A-Za-z0-9_-]`.
 */
export function tryParseHlc(value: unknown): Timestamp | null {
  const millis = typeof value === 'string' && hasHlcTail(value) ? cachedTimeMillis(value) : NaN;
  return Number.isNaN(millis) ? null : { millis, counter: parseInt((value as string).slice(25, 29), 16), clientId: (value as string).slice(30) };
}

export function parseHlc(value: unknown): Timestamp {
  const ts = tryParseHlc(value);
  if (!ts) throw invalidArgument(`not an HLC timestamp: ${errorText(value).slice(0, 100)}`);
  return ts;
}

/** An HLC's characters before its clientId: `2026-11-24T15:09:40.001Z-0000-`. */
export const HLC_PREFIX = 30;

/** The clientId at the end of an HLC string the caller has checked (no validation: the server's pull and push paths). */
export function clientIdOf(hlc: string): string {
  return hlc.slice(HLC_PREFIX);
}

/** A checked HLC string with another (valid) clientId: the same time and counter. */
export function withClientId(hlc: string, clientId: string): string {
  return hlc.slice(0, HLC_PREFIX) + clientId;
}

/**
 * The clientId at the end of an HLC timestamp (the writer of a message), for an app or a
 * server that reads its own data: what is not one is refused, not sliced into a clientId.
 */
export function hlcClientId(hlc: string): string {
  if (!isHlc(hlc)) throw invalidArgument(`hlcClientId: not an HLC timestamp: ${errorText(hlc).slice(0, 100)}`);
  return clientIdOf(hlc);
}

/** The time part of an HLC string in milliseconds (NaN when it is not a time; nothing else is checked). */
export function hlcMillis(hlc: string): number {
  return hlc.length < 24 ? NaN : cachedTimeMillis(hlc);
}
