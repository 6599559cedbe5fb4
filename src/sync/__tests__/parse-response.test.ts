/**
 * parseSyncResponse hands the pulled messages on as parsed when they are exactly messages
 * (no copy per message on the apply path), and as a copy of their six fields otherwise.
 */
import { describe, expect, it } from 'vitest';
import { parseSyncResponse } from '../protocol.ts';

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
