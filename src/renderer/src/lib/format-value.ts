import type { JsonValue } from 'fieldsync';

/** A cell value as JSON (so "text", true and 3 look different), cut to `max` characters. */
export function formatValue(value: JsonValue, max = 60): { text: string; full: string } {
  const full = JSON.stringify(value) ?? 'null';
  return { text: full.length > max ? `${full.slice(0, max - 1)}…` : full, full: full.slice(0, 2000) };
}
