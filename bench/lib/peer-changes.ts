/**
 * The changes every peer applies in the `peers` workload: field changes to a todos table
 * (five columns), each cell written twice on average, made on another device in pages of
 * 1,000 (one transaction, one pull page). The same (row, column, value) list feeds Fieldsync
 * (as messages the server holds) and each peer (as its own updates).
 */
import type { JsonValue, Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';

export const PAGE = 1000;
export const COLUMNS = ['listId', 'title', 'done', 'order', 'createdAt'] as const;
const BASE = Date.UTC(2026, 0, 1);

export interface Change {
  readonly row: string;
  readonly column: string;
  readonly value: JsonValue;
}

export function change(i: number, count: number): Change {
  const rows = Math.max(1, Math.floor(count / (2 * COLUMNS.length)));
  const column = COLUMNS[i % COLUMNS.length] as (typeof COLUMNS)[number];
  const value = column === 'done' ? i % 2 === 0 : column === 'createdAt' ? BASE + i : `${column} value ${i}`;
  return { row: `todo-${Math.floor(i / COLUMNS.length) % rows}`, column, value };
}

/** Change `i` as the other device's message (its hlc one millisecond after the previous). */
export function changeMessage(i: number, count: number, clientId = 'otherDevice'): Message {
  const c = change(i, count);
  return { hlc: formatHlc({ millis: BASE + i, counter: 0, clientId }), table: 'todos', row: c.row, column: c.column, value: c.value };
}

/** The changes in pages of PAGE. */
export function changePages(count: number): Change[][] {
  const pages: Change[][] = [];
  for (let start = 0; start < count; start += PAGE) {
    const page: Change[] = [];
    for (let i = start; i < Math.min(count, start + PAGE); i++) page.push(change(i, count));
    pages.push(page);
  }
  return pages;
}
