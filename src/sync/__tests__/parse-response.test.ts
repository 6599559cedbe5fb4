/**
 * parseSyncResponse hands the pulled messages on as parsed when they are exactly messages
 * (no copy per message on the apply path), and as a copy of their six fields otherwise.
 */
import { describe, expect, it } from 'vitest';
import { parseSyncResponse } from '../sync-response.ts';

const message = { id: 1, hlc: '2026-11-24T15:09:39.123Z-0000-other', table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };
const answer = (messages: unknown[]) => ({ accepted: 0, cursor: 1, more: false, serverTime: '2026-11-24T15:09:40.000Z', messages });

describe('parseSyncResponse', () => {
  it('keeps a message with exactly its six fields as it is', () => {
    const [m] = parseSyncResponse(answer([{ ...message }]), 0).messages;
    expect(m).toEqual(message);
  });

  it('leaves out any other field a server sends', () => {
    const [m] = parseSyncResponse(answer([{ ...message, extra: 'x', local: true }]), 0).messages;
    expect(m).toEqual(message);
    expect(Object.keys(m as object).sort()).toEqual(['column', 'hlc', 'id', 'row', 'table', 'value']);
  });

  it('copies a message that is not a plain object', () => {
    const proto = Object.defineProperty({}, 'hidden', { value: 'inherited', enumerable: false });
    const odd = Object.assign(Object.create(proto) as object, message);
    const [m] = parseSyncResponse(answer([odd]), 0).messages;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(m).toEqual(message);
  });

  it('copies a message whose value is inherited, not its own', () => {
    const { value, ...rest } = message;
    const [m] = parseSyncResponse(answer([Object.assign(Object.create({ value }) as object, rest)]), 0).messages;
    expect(Object.hasOwn(m as object, 'value')).toBe(true);
    expect(m).toEqual(message);
  });
});

describe('parseSyncResponse checks each message in full, names repeated or not', () => {
  const at = (i: number, fields: object) => ({ ...message, id: i + 1, hlc: `2026-11-24T15:09:39.12${i}Z-0000-other`, ...fields });
  const page = (list: object[]) => ({ ...answer(list), cursor: list.length });

  it('accepts a page that names the same table and columns again and again', () => {
    const list = [at(0, {}), at(1, { column: 'done', value: true }), at(2, {}), at(3, { column: 'done', value: false })];
    expect(parseSyncResponse(page(list), 0).messages.map((m) => m.column)).toEqual(['title', 'done', 'title', 'done']);
  });

  // A name found to be valid once is not checked again: an invalid one after it still is.
  it.each([
    ['a table', { table: 'to-dos' }],
    ['a column', { column: 'ti tle' }],
    ['a table named like a valid column', { table: 'title ' }],
  ])('refuses %s that is not an identifier after valid ones', (_what, bad) => {
    const list = [at(0, {}), at(1, {}), at(2, bad)];
    expect(() => parseSyncResponse(page(list), 0)).toThrow(/message 2: (table|column) must match/);
  });
});
