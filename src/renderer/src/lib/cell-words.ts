/**
 * Cells in words, for the inspector and the notices of replaced values: a column by its
 * label, a value as a person reads it, a writer by its device name, a timestamp as a time.
 * Everything that came from a device stays raw here: show it through UserText / displayText.
 */
import type { JsonValue } from 'fieldsync';
import { appSchema } from '../../../shared/app-schema.ts';
import { DEVICES_TABLE, TOMBSTONE_COLUMN, isInternalColumn } from '../../../shared/app-schema-kit.ts';
import { displayText } from './display-text.ts';
import { cut, formatValue } from './format-value.ts';
import { hlcParts } from './hlc-parts.ts';

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** "Title", "List name", "Done", "Deleted". */
export function columnLabel(table: string, column: string): string {
  if (column === TOMBSTONE_COLUMN) return 'Deleted';
  if (table === DEVICES_TABLE && column === 'name') return 'Device name';
  const def = appSchema.table(table)?.columns.get(column);
  return def?.kind === 'text' ? def.label : capitalized(column);
}

/** Whether the core keeps this column (order, creation time, parent): folded in the inspector. */
export function isInternal(table: string, column: string): boolean {
  return isInternalColumn(appSchema.table(table), column);
}

/** A table's rows as a person calls them: "todo", "list", "device". */
export function nounOf(table: string): string {
  return table === DEVICES_TABLE ? 'device' : (appSchema.table(table)?.noun ?? table);
}

/**
 * The most of a text a notice quotes (its start, then "…"): a note's body may hold 20,000
 * characters, and a notice, its Restore button and the announcement name the value, they do
 * not show it. Restore writes the whole value.
 */
const QUOTE_MAX = 100;

/**
 * A text as a message or an accessible name quotes it: all of it up to QUOTE_MAX characters,
 * else its start and "…". A row's buttons are named by its title four times over
 * ("Rename “…”", "Move “…” up", ...), and a screen reader says each name whole.
 */
export function quoteStart(text: string): string {
  return text.length > QUOTE_MAX ? `${cut(text, QUOTE_MAX - 1)}…` : text;
}

/** User text quoted in an accessible name: its start (quoteStart), neutralised (displayText), in curly quotes. */
export function quotedName(value: unknown): string {
  return `“${displayText(quoteStart(typeof value === 'string' ? value : String(value ?? '')))}”`;
}

/**
 * A value as words: text as it is (to be quoted; cut to QUOTE_MAX), a flag as checked or
 * not, anything else as JSON. `quote` says whether the words are user text.
 */
export function valueWords(value: JsonValue): { readonly text: string; readonly quote: boolean } {
  if (typeof value === 'string') return { text: quoteStart(value), quote: true };
  if (typeof value === 'boolean') return { text: value ? 'checked' : 'not checked', quote: false };
  return { text: formatValue(value).text, quote: false };
}

/**
 * A value as words, whole: what a notice of a replaced value shows (components/RowNotices.tsx
 * folds a long one behind "Show all"), where valueWords quotes only its start. A user who lost a
 * long title to another device must be able to read all of what was lost and what was kept.
 */
export function valueWhole(value: JsonValue): { readonly text: string; readonly quote: boolean } {
  if (typeof value === 'string') return { text: value, quote: true };
  if (typeof value === 'boolean') return valueWords(value);
  return { text: JSON.stringify(value) ?? 'null', quote: false };
}

/** A writer, by the name its instance published, or by the start of its client id. */
export function writerName(device: string | null, hlc: string): string {
  if (device !== null) return device;
  const id = hlcParts(hlc)?.clientId ?? hlc;
  return `device ${id.slice(0, 6)}…`;
}

/** The wall-clock time of a timestamp, in ms (null for a malformed one). */
export function hlcMillis(hlc: string): number | null {
  const p = hlcParts(hlc);
  if (!p) return null;
  const ms = Date.parse(`${p.date}T${p.time}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** "15:09:39.123": an exact time of day, local, to the millisecond. */
export function exactTime(hlc: string): string {
  const ms = hlcMillis(hlc);
  if (ms === null) return hlc;
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
