/**
 * Columns pages (docs/protocol.md §5, "Columns pages"): asked for with `"format": "columns"`,
 * they carry exactly the messages a `messages` page would; a request without the field (an
 * older client) gets `messages` as before; a malformed page is a typed error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../errors.ts';
import { formatHlc } from '../hlc.ts';
import type { JsonValue, Message, ServerMessage } from '../message.ts';
import { encodeColumns } from '../columns-page.ts';
import { ProtocolError } from '../protocol.ts';
import { parseSyncResponse } from '../sync-response.ts';
import { createMemoryServerStore, createSyncHandler } from '../server/index.ts';

const T = Date.UTC(2026, 10, 24, 15);
const hlc = (n: number, clientId = 'pusher') => formatHlc({ millis: T + n, counter: 0, clientId });
/** What travels: the answer as the server serializes it, parsed back as the client gets it. */
const wire = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.jsonValue({ maxDepth: 2 }));
const name = fc.constantFrom('todos', 'lists', 'title', 'done', 'order', '_deleted', 'x9');
const message = fc.record({ table: name, row: fc.string({ minLength: 1, maxLength: 20 }).filter((r) => !r.includes('\u0000')), column: name, value });

describe('columns pages', () => {
  it('carry exactly the messages a messages page carries, from any cursor and limit', async () => {
    await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 0, maxLength: 40 }), fc.nat(45), fc.integer({ min: 1, max: 50 }), async (list, from, limit) => {
      const cursor = Math.min(from, list.length); // a cursor beyond the log would renew the epoch between the two pulls
      const store = createMemoryServerStore();
      const handle = createSyncHandler({ store, now: () => T + 1000 });
      const messages = list.map((m, i): Message => ({ ...m, value: JSON.parse(JSON.stringify(m.value)) as JsonValue, hlc: hlc(i) }));
      if (messages.length > 0) await handle('u', { clientId: 'pusher', cursor: 0, messages });
      const classic = parseSyncResponse(wire((await handle('u', { clientId: 'puller', cursor, limit })).response), cursor);
      const columns = wire((await handle('u', { clientId: 'puller', cursor, limit, format: 'columns' })).response) as Record<string, unknown>;
      expect(columns.format).toBe('columns');
      expect(columns).not.toHaveProperty('messages');
      const parsed = parseSyncResponse(columns, cursor);
      expect({ ...parsed, serverTime: '' }).toEqual({ ...classic, serverTime: '' });
    }), { numRuns: 60 });
  });

  it('an older client, which does not ask, gets messages; an unknown format is refused', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 1000 });
    await handle('u', { clientId: 'pusher', cursor: 0, messages: [{ hlc: hlc(1), table: 'todos', row: 't1', column: 'title', value: 'x' }] });
    const old = wire((await handle('u', { clientId: 'puller', cursor: 0 })).response) as Record<string, unknown>;
    expect(old).not.toHaveProperty('format');
    expect(old.messages).toEqual([{ id: 1, hlc: hlc(1), table: 'todos', row: 't1', column: 'title', value: 'x' }]);
    await expect(handle('u', { clientId: 'puller', cursor: 0, format: 'rows' })).rejects.toThrow(new ProtocolError('invalid_request', 'format must be "columns" or absent'));
  });

  it('name each table and column once, in the order the page first uses them', () => {
    const m = (id: number, table: string, column: string): ServerMessage => ({ id, hlc: hlc(id), table, row: `r${id}`, column, value: id });
    const page = encodeColumns([m(3, 'todos', 'title'), m(4, 'todos', 'done'), m(6, 'lists', 'title'), m(7, 'todos', 'done')], 2);
    expect(page.names).toEqual(['todos', 'title', 'done', 'lists']);
    expect(page.cells.filter((_, i) => i % 6 === 2 || i % 6 === 4)).toEqual([0, 1, 0, 2, 3, 1, 0, 2]);
    expect(page.cells.filter((_, i) => i % 6 === 0)).toEqual([1, 1, 2, 1]);
  });

  describe('a malformed page is an invalid_response, with the reason', () => {
    const good = { names: ['todos', 'title'], cells: [1, hlc(1), 0, 't1', 1, 'a', 1, hlc(2), 0, 't2', 1, 'b'] };
    const answer = (page: unknown, extra: object = {}) => ({ accepted: 0, cursor: 2, more: false, serverTime: '2026-11-24T15:00:00.000Z', format: 'columns', page, ...extra });
    const withCell = (at: number, v: unknown) => ({ ...good, cells: good.cells.map((c, i) => (i === at ? v : c)) });

    it('reads the good page', () => {
      expect(parseSyncResponse(answer(good), 0).messages.map((m) => [m.id, m.row, m.value])).toEqual([[1, 't1', 'a'], [2, 't2', 'b']]);
    });

    it.each([
      ['no page', undefined, /page must be an object/],
      ['a page that is an array', [], /page must be an object/],
      ['a page that is null', null, /page must be an object/],
      ['names not an array', { ...good, names: 'todos' }, /page.names/],
      ['cells not a multiple of six', { ...good, cells: good.cells.slice(0, 7) }, /6 entries per message/],
      ['an id step of 0', withCell(6, 0), /message 1: id step/],
      ['a negative id step', withCell(0, -1), /message 0: id step/],
      ['a fractional id step', withCell(0, 0.5), /message 0: id step/],
      ['a fractional id step over 1', withCell(6, 1.5), /message 1: id step/],
      ['an id step past the safe integers', withCell(0, 2 ** 53), /message 0: id step/],
      ['ids beyond the cursor', withCell(6, 2), /message 1: id out of order or beyond cursor/],
      ['a table index out of range', withCell(2, 2), /message 0: table or column is not an index/],
      ['a column index that is a string', withCell(4, '1'), /message 0: table or column is not an index/],
      // names[-1] and names[0.5] are undefined too: the reason is the index, not the name.
      ['a negative table index', withCell(2, -1), /message 0: table or column is not an index/],
      ['a fractional column index', withCell(10, 0.5), /message 1: table or column is not an index/],
      ['a name that is not an identifier', { ...good, names: ['to dos', 'title'] }, /message 0: table must match/],
      // Each place a name is used checks it, as a table's or as a column's.
      ['a column name that is not an identifier', { ...good, names: ['todos', 'ti tle'] }, /message 0: column must match/],
      ['a name that is not a string', { ...good, names: [7, 'title'] }, /message 0: table must match/],
      ['a name that is good as a table, bad as a column of a later message', { names: ['todos', 'title', 'b-ad'], cells: [...good.cells.slice(0, 6), 1, hlc(2), 0, 't2', 2, 'b'] }, /message 1: column must match/],
      ['a value nested too deep', withCell(11, JSON.parse('['.repeat(101) + ']'.repeat(101)) as unknown), /message 1: value is nested/],
      ['a bad hlc', withCell(7, 'yesterday'), /message 1: hlc/],
      ['an empty row', withCell(3, ''), /message 0: row must be a non-empty string/],
      ['a row that is a number', withCell(9, 5), /message 1: row must be a non-empty string/],
    ])('%s', (_what, page, reason) => {
      const err = (() => {
        try {
          parseSyncResponse(answer(page), 0);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(RemoteError);
      expect((err as RemoteError).code).toBe('invalid_response');
      expect((err as RemoteError).message).toMatch(reason);
    });

    it('refuses an unknown format; ids count from the cursor sent', () => {
      expect(() => parseSyncResponse(answer(good, { format: 'rows' }), 0)).toThrow(/format/);
      expect(parseSyncResponse({ ...answer(good), cursor: 3 }, 1).messages.map((m) => m.id)).toEqual([2, 3]);
      expect(() => parseSyncResponse(answer(good), 1)).toThrow(/message 1: id out of order or beyond cursor/);
    });
  });
});
