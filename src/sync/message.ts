/**
 * Messages: one change of one field of one row (docs/protocol.md section 3), and the checks that
 * every party (client, server, store) applies to them. The server uses these same checks.
 */
import { isObject } from './option-keys.ts';
import { ValidationError, invalidArgument } from './errors.ts';
import { clientIdOf, isHlc } from './hlc.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Message {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  readonly value: JsonValue;
}

/** A message as a server returns it: with the per-user `id` the server gave it. */
export interface ServerMessage extends Message {
  readonly id: number;
}

export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** The reserved tombstone column: `true` marks the row as deleted. */
export const DELETED_COLUMN = '_deleted';
export const ROW_MAX_CHARS = 128;
/** The most bytes of a value's JSON text (UTF-8). */
export const VALUE_MAX_BYTES = 64 * 1024;

/**
 * Why a row id is not acceptable, or null. Beyond "1 to 128 characters", a row id must be
 * well-formed Unicode without U+0000: neither survives a round trip through UTF-8 or a
 * PostgreSQL `text` column, and a row id that changes on the way breaks idempotency.
 */
export function rowError(row: unknown): string | null {
  if (typeof row !== 'string' || row.length === 0) return 'row must be a non-empty string';
  // Most row ids: no more UTF-16 units than the limit allows characters, no U+0000 and no
  // surrogate at all. One pass decides; anything else takes the three checks below.
  if (row.length <= ROW_MAX_CHARS && isPlainRow(row)) return null;
  // A lone surrogate counts as one character here: a row id too long and ill-formed is too long.
  if (row.length > ROW_MAX_CHARS * 2 || Math.abs(codePoints(row)) > ROW_MAX_CHARS) {
    return `row must be at most ${ROW_MAX_CHARS} characters`;
  }
  if (row.includes('\u0000')) return 'row must not contain U+0000';
  if (codePoints(row) < 0) return 'row must be well-formed Unicode (no lone surrogates)';
  return null;
}

function isPlainRow(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/**
 * The characters of a string as a user would count them (a surrogate pair is one), in one
 * pass that also finds lone surrogates: then the count is negative (minus the count, each
 * lone surrogate counted as one), as such a string would not survive a round trip through
 * UTF-8. One loop for both questions, which a schema's text column asks of every value.
 */
export function codePoints(s: string): number {
  let n = s.length;
  let lone = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    } else lone = true;
  }
  return lone ? -n : n;
}

/** True when a string has no lone surrogates, so it survives a round trip through UTF-8. */
export const isWellFormed = (s: string): boolean => codePoints(s) >= 0;

/**
 * The deepest nesting a value may have (an addition of docs/protocol.md §3). Every runtime's
 * JSON.stringify gives up at some depth that depends on its stack size, so without a fixed
 * limit a value could be valid in Node and invalid in a browser. 100 levels is far beyond
 * any real document and far below any runtime's limit.
 */
export const VALUE_MAX_DEPTH = 100;

const NOT_JSON_NUMBER = 'value contains a number that JSON cannot represent';

/**
 * Why a value is not a JSON value within the protocol's limits, or null. Rejects what
 * `JSON.stringify` would silently change or drop: `undefined`, NaN and Infinity, functions,
 * class instances such as Date or Map, sparse arrays, symbol keys; and cycles.
 */
export function valueError(value: unknown, parsed = false): string | null {
  // Most fields are a boolean, a number or a short string: no walk, and no JSON text to
  // measure (a string's JSON is at most 6 bytes per UTF-16 unit, for \u escapes, plus quotes).
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : NOT_JSON_NUMBER;
  if (typeof value === 'string' && value.length * 6 + 2 <= VALUE_MAX_BYTES) return null;
  const structural = jsonStructureError(value, parsed);
  if (structural) return structural;
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > VALUE_MAX_BYTES) return `value is ${bytes} bytes of JSON; the limit is ${VALUE_MAX_BYTES}`;
  return null;
}

/** Why `v`, not an object (or null), is not a JSON value, or null. */
function scalarError(v: unknown): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : NOT_JSON_NUMBER;
  return `value contains ${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}, which is not JSON`;
}

/**
 * `parsed`: `root` is JSON.parse's output (a request's body on the server), whose arrays hold
 * their elements only: listing each one's keys to find others costs a string per element, 4-5
 * times what parsing them cost (a valid 4 MiB push of number arrays, round 64), for nothing.
 */
function jsonStructureError(root: unknown, parsed: boolean): string | null {
  // Iterative, with a depth bound (which also stops cycles) and an element bound (a JSON
  // text of at most 64 KiB cannot hold more elements), so no input can exhaust the stack.
  const values: unknown[] = [root];
  const depths: number[] = [0];
  let visited = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (++visited > VALUE_MAX_BYTES) return `value has more elements than ${VALUE_MAX_BYTES} bytes of JSON can hold`;
    if (typeof v !== 'object' || v === null) {
      const why = scalarError(v);
      if (why !== null) return why;
      continue;
    }
    if (depth >= VALUE_MAX_DEPTH) return `value is nested more than ${VALUE_MAX_DEPTH} levels deep (or contains a cycle)`;
    // An array whose elements, with those still to walk, pass the bound: refused before its
    // keys are listed or its elements pushed (round 64). Counted only as they were visited,
    // one array of 2 million zeros (4 MiB, one container: under the parse-cost bound) cost
    // Object.keys' 2 million strings, 6-7 times its JSON.parse, before it was refused.
    if (Array.isArray(v) && visited + values.length + v.length > VALUE_MAX_BYTES) return `value has more elements than ${VALUE_MAX_BYTES} bytes of JSON can hold`;
    // A symbol-keyed property: JSON drops it, as an array's extra ones. Refused, not changed.
    if (Object.getOwnPropertySymbols(v).length > 0) return 'value contains a symbol key, which JSON drops';
    if (Array.isArray(v)) {
      // `[1, 2]` with a `label` property: JSON keeps the elements only. Refused, not changed.
      if (!parsed && Object.keys(v).length > v.length) return 'value contains an array with properties besides its elements, which JSON drops';
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'object' && e !== null) {
          values.push(e);
          depths.push(depth + 1);
          continue;
        }
        // A scalar (most of a large array) is checked here, not pushed and popped: the stack
        // cost 4-5 times JSON.parse's time for an array of numbers (round 64). The bound above
        // took it into account.
        visited++;
        const why = scalarError(e);
        if (why !== null) return why;
      }
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return 'value contains an object that is not plain JSON';
    for (const key of Object.keys(v)) {
      values.push((v as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return null;
}

/** UTF-8 byte length of a string, without TextEncoder (not everywhere in React Native). */
export function utf8Length(s: string): number {
  // A public helper: a number's `length` is undefined, and the loop below would answer it.
  if (typeof s !== 'string') throw invalidArgument('utf8Length takes a string');
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 4 bytes for 2 code units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * True when `s` is an identifier (a table or column name). `checked` holds names already
 * found to be identifiers: a page of messages names the same few tables and columns over
 * and over, and a set lookup is cheaper than the pattern.
 */
function isIdentifier(s: unknown, checked: Set<string> | undefined): boolean {
  if (typeof s !== 'string') return false;
  if (checked?.has(s)) return true;
  if (!IDENTIFIER_PATTERN.test(s)) return false;
  checked?.add(s);
  return true;
}

/**
 * Why a value is not a protocol message (docs/protocol.md §3), or null when it is one.
 * `checked`: identifiers already checked (see isIdentifier), for a list of messages.
 */
export function messageError(m: unknown, checked?: Set<string>, parsed = false): string | null {
  if (!isObject(m)) return 'message must be an object';
  const { hlc, table, row, column } = m as Record<string, unknown>;
  if (!isHlc(hlc)) return 'hlc is not a valid HLC timestamp';
  if (!isIdentifier(table, checked)) return `table must match ${IDENTIFIER_PATTERN.source}`;
  const rowProblem = rowError(row);
  if (rowProblem) return rowProblem;
  if (!isIdentifier(column, checked)) return `column must match ${IDENTIFIER_PATTERN.source}`;
  if (!('value' in m)) return 'value is missing';
  return valueError((m as { value: unknown }).value, parsed);
}

/**
 * Checks a list of messages as a server receives them: each must follow section 2, and its
 * `hlc` must end in the sender's clientId. Returns the messages (only their five fields) or
 * throws a ValidationError with the index of the first offending one. `input` is JSON.parse's
 * output (parseSyncRequest's, documented so): its arrays' keys are not listed (jsonStructureError).
 */
export function validateMessages(input: readonly unknown[], clientId: string): Message[] {
  const out: Message[] = new Array<Message>(input.length);
  const checked = new Set<string>();
  for (let i = 0; i < input.length; i++) {
    const m = input[i];
    const problem = messageError(m, checked, true); // a request's body, from JSON.parse
    if (problem) throw new ValidationError('invalid_message', `message ${i}: ${problem}`, i);
    const { hlc, table, row, column, value } = m as Message;
    if (clientIdOf(hlc) !== clientId) {
      throw new ValidationError('invalid_message', `message ${i}: hlc does not end in the request's clientId`, i);
    }
    out[i] = { hlc, table, row, column, value };
  }
  return out;
}

/** Whether two JSON values are equal, whatever the order of their objects' keys (a store may keep them in another). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether two messages of one hlc are one change: the same cell, and the same value. */
export const sameChange = (a: Message, b: Message): boolean => a.table === b.table && a.row === b.row && a.column === b.column && sameJson(a.value, b.value);

/** A message's five fields alone: what is sent, returned to the app, or written to its cell (a CellWrite). */
export const messageOf = (m: Message): Message => ({ hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: m.value });

/** Sorts messages oldest first (hlcs order as strings; no two messages share one). */
export const byHlc = (a: { readonly hlc: string }, b: { readonly hlc: string }): number => (a.hlc < b.hlc ? -1 : 1);

/**
 * A compact key for one cell. Row ids never contain U+0000, so the key is unambiguous. A
 * store author's code calls it too: what is not a string would make a key that names no
 * cell (`5\u0000undefined\u0000null`), so it is refused (three typeofs: nothing measurable).
 */
export function cellKey(table: string, row: string, column: string): string {
  if (typeof table !== 'string' || typeof row !== 'string' || typeof column !== 'string') {
    throw invalidArgument('cellKey(table, row, column) takes three strings');
  }
  return `${table}\u0000${row}\u0000${column}`;
}

/**
 * The start of every cell key of one row: `cellKey(table, row, c)` is `rowKey(table, row) + c`.
 * A batch comes row by row: its keys are built from one prefix per row, not from scratch.
 */
export function rowKey(table: string, row: string): string {
  return `${table}\u0000${row}\u0000`;
}
