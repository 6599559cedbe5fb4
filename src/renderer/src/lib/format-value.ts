import type { JsonValue } from 'fieldsync';

/** The first `n` UTF-16 units of `s`, not ending in half of a character. */
export function cut(s: string, n: number): string {
  const end = n > 0 && n < s.length && /[\ud800-\udbff]/.test(s.charAt(n - 1)) ? n - 1 : n;
  return s.slice(0, end);
}

/**
 * A cell value as JSON (so "text", true and 3 look different), cut to `max` characters. It
 * is still raw: show it through UserText or displayText (lib/display-text.ts), which
 * neutralise what JSON leaves as is (direction controls, C1 controls, U+2028).
 */
export function formatValue(value: JsonValue, max = 60): { text: string; full: string } {
  const full = JSON.stringify(value) ?? 'null';
  return { text: full.length > max ? `${cut(full, max - 1)}…` : full, full: cut(full, 2000) };
}
