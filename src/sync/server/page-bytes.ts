/**
 * A page's bytes (docs/protocol.md §5, "Answer bytes", round 60): the handler cuts every page
 * a store gives it to about `PAGE_BYTES` of JSON, whatever the store's own limits, so that an
 * answer stays far under the protocol's `MAX_ANSWER_BYTES` (the bound a client reads within).
 * A store that pages by count alone (the memory store, an app's own) gave pages of up to
 * 5,000 values of 64 KiB: 320 MiB; the SQLite and PostgreSQL stores stop at 8 MiB of values
 * as stored, up to 24 MiB of UTF-8 for text in CJK scripts. Sizing a page costs a length read a
 * message (an object value's JSON text, as the follow-on budget always took); messages are
 * measured exactly only when that upper bound passes the budget (megabytes of values, whose
 * JSON is being written anyway).
 */
import type { ServerMessage } from '../message.ts';
import { utf8Length } from '../message.ts';
import type { PullResult } from './server-store.ts';

/** A page's messages as JSON at most this (the answer's own fields besides: well under 1 KiB). */
export const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * A message's JSON bytes besides its value and row, at most, with a margin: in the messages
 * format its field names, braces and commas (49), an id (16 digits), a table and a column
 * name (65 each, quoted) and an hlc (96, quoted): 291; in a columns page an id step, the hlc,
 * two indexes, commas, and a new entry of `names` for its table and its column: 260.
 */
const FIELD_BYTES = 420;

/** The bytes of `m` as JSON in a page, exactly but for FIELD_BYTES' margin. */
const exactBytes = (m: ServerMessage): number => FIELD_BYTES + utf8Length(JSON.stringify(m.row)) + utf8Length(JSON.stringify(m.value));

/**
 * A page's size, in one pass: `rough`, its messages' strings and 8 bytes for a value that is
 * not one (the follow-on pages' budget, as before round 60), and `upper`, at most its JSON
 * bytes (a string's JSON is at most 6 bytes a UTF-16 unit, a JSON text's UTF-8 3 bytes a unit).
 */
export function pageSize(messages: readonly ServerMessage[]): { rough: number; upper: number } {
  let rough = 0;
  let upper = 0;
  for (const m of messages) {
    const v = m.value;
    const text = typeof v === 'object' && v !== null ? JSON.stringify(v).length : -1;
    const value = typeof v === 'string' ? v.length : text >= 0 ? text : 8;
    rough += 40 + m.row.length + value;
    upper += FIELD_BYTES + 6 * m.row.length + 2 + (typeof v === 'string' ? 6 * value + 2 : text >= 0 ? 3 * text : 24);
  }
  return { rough, upper };
}

/**
 * `page` with at most `PAGE_BYTES` of messages' JSON (always its first message): cut after the
 * last message that fits, its cursor that message's id and `more` true, as a store's page
 * that stopped early is (the next pull goes on from there). `upper` is pageSize's: a page under
 * the budget by it is the store's page as it is, nothing serialized.
 */
export function cutPage(page: PullResult, upper: number): PullResult {
  if (upper <= PAGE_BYTES) return page;
  const messages = page.messages;
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    bytes += exactBytes(messages[i] as ServerMessage);
    if (bytes > PAGE_BYTES && i > 0) {
      const kept = messages.slice(0, i);
      return { ...page, messages: kept, cursor: (kept[i - 1] as ServerMessage).id, more: true };
    }
  }
  return page;
}
