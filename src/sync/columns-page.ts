/**
 * The `columns` page format (docs/protocol.md §5, "Columns pages"): a pull page's messages
 * as one flat array, six entries per message, with tables and columns named once. A client
 * asks for it with `"format": "columns"`; a server that predates it ignores the field and
 * answers with `messages`, which the client reads as before.
 *
 *     "page": { "names": ["todos", "title", "done"],
 *               "cells": [1, "2026-…-0000-Zq81", 0, "t1", 1, "Buy milk",
 *                         1, "2026-…-0001-Zq81", 0, "t1", 2, true] }
 *
 * Per message: the id's step from the previous id (the first from the request's cursor), the
 * hlc, the table's and the column's index in `names`, the row, the value. A page of 1,000
 * typical changes is about 60% of its `messages` JSON: less to send, inflate and parse.
 */
import { isObject } from './option-keys.ts';
import { messageError, type JsonValue, type Message, type ServerMessage } from './message.ts';
import type { StoredMessage } from './store.ts';

export const COLUMNS_FORMAT = 'columns';
/** Entries per message in `cells`. */
const WIDTH = 6;

export interface ColumnsPage {
  readonly names: readonly string[];
  readonly cells: readonly JsonValue[];
}

/** Encodes a page's messages (in id order, ids after `cursor`). */
export function encodeColumns(messages: readonly ServerMessage[], cursor: number): ColumnsPage {
  const names: string[] = [];
  const index = new Map<string, number>();
  const nameIndex = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
  const cells: JsonValue[] = new Array<JsonValue>(messages.length * WIDTH);
  let last = cursor;
  let at = 0;
  for (const m of messages) {
    cells[at++] = m.id - last;
    cells[at++] = m.hlc;
    cells[at++] = nameIndex(m.table);
    cells[at++] = m.row;
    cells[at++] = nameIndex(m.column);
    cells[at++] = m.value;
    last = m.id;
  }
  return { names, cells };
}

/**
 * The pages `decodeColumns` made as the client's own (`pulled`): each message is the object a
 * store keeps for it (see PulledMessage). Marked by the array, once per page, so that the
 * client hands them on as they are only when they came from here.
 */
const pulledPages = new WeakSet<object>();

/** A pulled message as a store keeps it: `decodeColumns`'s own object, without the server's id. */
export type PulledMessage = StoredMessage & { readonly local: false; readonly synced: true; readonly applied: true; readonly error: null };

/** `list` is a page of PulledMessages that `decodeColumns` made (its objects untouched since, as the client leaves them). */
export const isPulledPage = (list: readonly Message[]): list is readonly PulledMessage[] => pulledPages.has(list);

/**
 * Decodes and checks a page: every message as `parseSyncResponse` checks one of the
 * `messages` format (§3), ids increasing after `sentCursor` and at most `cursor`. Returns
 * the messages, or the reason the page is not valid (the caller's typed error says it).
 *
 * `pulled`: the client's own read (http-remote.ts). The ids are checked, then dropped, and each
 * message is made as the store keeps a pulled one (PulledMessage): the client needs no id
 * (the page's cursor says where it ends), and handing a store these objects as they are
 * spares a second object per message, a tenth of a memory store's pull (docs/benchmarks.md,
 * round 40). No message a store inserts has an `id`: the contract's stored message has none.
 */
export function decodeColumns(page: unknown, sentCursor: number, cursor: number, pulled = false): (ServerMessage | PulledMessage)[] | string {
  if (!isObject(page)) return 'page must be an object';
  const { names, cells } = page as Record<string, unknown>;
  if (!Array.isArray(names)) return 'page.names must be an array';
  if (!Array.isArray(cells) || cells.length % WIDTH !== 0) return `page.cells must be an array of ${WIDTH} entries per message`;
  const out = new Array<ServerMessage | PulledMessage>(cells.length / WIDTH);
  const checked = new Set<string>();
  let id = sentCursor;
  for (let i = 0, at = 0; at < cells.length; i++, at += WIDTH) {
    const step = cells[at];
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 1) return `message ${i}: id step must be an integer >= 1`;
    id += step;
    if (id > cursor) return idError(i);
    const table = names[cells[at + 2] as number];
    const column = names[cells[at + 4] as number];
    if (!isIndex(cells[at + 2], names.length) || !isIndex(cells[at + 4], names.length)) return `message ${i}: table or column is not an index of page.names`;
    const hlc = cells[at + 1] as string;
    const row = cells[at + 3] as string;
    const value = cells[at + 5] as JsonValue;
    const m: ServerMessage | PulledMessage = pulled
      ? { hlc, table: table as string, row, column: column as string, value, local: false, synced: true, applied: true, error: null }
      : { id, hlc, table: table as string, row, column: column as string, value };
    const problem = messageError(m, checked);
    if (problem) return `message ${i}: ${problem}`;
    out[i] = m;
  }
  if (pulled) pulledPages.add(out);
  return out;
}

const isIndex = (v: unknown, length: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < length;

/** A message whose id is not after the one before it, or is beyond its page's cursor: either page format's error. */
export const idError = (i: number): string => `message ${i}: id out of order or beyond cursor`;
