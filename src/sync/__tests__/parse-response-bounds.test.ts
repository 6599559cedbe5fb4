/**
 * parseSyncResponse, the public check of an answer for a custom remote, makes the checks the
 * library's HTTP remote makes of the pages it asked for (round 60): before, a page with more
 * messages than the request's `limit`, or more follow-on pages than its `pages`, was taken, so
 * a custom remote's client applied them where the library's refused them (`invalid_response`).
 */
import { describe, expect, it } from 'vitest';
import { RemoteError, ValidationError } from '../errors.ts';
import { encodeColumns } from '../columns-page.ts';
import { parseSyncResponse } from '../sync-response.ts';
import type { ServerMessage } from '../message.ts';

const T = '2026-11-24T15:09:39.123Z';
const msg = (id: number): ServerMessage => ({ id, hlc: `${T}-${id.toString(16).toUpperCase().padStart(4, '0')}-other`, table: 'todos', row: `t${id}`, column: 'title', value: 'x' });
const ids = (from: number, to: number): ServerMessage[] => Array.from({ length: to - from + 1 }, (_, k) => msg(from + k));
const plain = (n: number): unknown => ({ accepted: 0, cursor: n, more: false, serverTime: T, messages: ids(1, n) });
/** A columns answer of `pages` pages of 2 messages each. */
function paged(pages: number): unknown {
  const next = Array.from({ length: pages - 1 }, (_, k) => ({ cursor: 2 * k + 4, more: k < pages - 2, page: encodeColumns(ids(2 * k + 3, 2 * k + 4), 2 * k + 2) }));
  return { accepted: 0, cursor: 2, more: pages > 1, serverTime: T, format: 'columns', page: encodeColumns(ids(1, 2), 0), ...(pages > 1 ? { next } : {}) };
}

describe('parseSyncResponse checks the pages against the request they answer', () => {
  it('a page with more messages than the limit asked for is an invalid response', () => {
    expect(parseSyncResponse(plain(3), 0, { limit: 3 }).messages).toHaveLength(3);
    const err = (() => { try { parseSyncResponse(plain(3), 0, { limit: 2 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('more messages in a page than the limit of 2') as unknown });
    // A follow-on page over it too.
    expect(() => parseSyncResponse(paged(3), 0, { limit: 1, pages: 3 })).toThrow(/limit of 1/);
  });

  it('the server\'s default limit (1000) when the request gave none; without the request, the protocol\'s most (5000)', () => {
    expect(() => parseSyncResponse(plain(1001), 0, {})).toThrow(RemoteError);
    expect(parseSyncResponse(plain(1001), 0).messages).toHaveLength(1001);
    expect(() => parseSyncResponse(plain(5001), 0)).toThrow(/limit of 5000/);
  });

  it('more pages than the request asked for is an invalid response', () => {
    expect(parseSyncResponse(paged(3), 0, { pages: 3 }).next).toHaveLength(2);
    expect(() => parseSyncResponse(paged(3), 0, { pages: 2 })).toThrow(expect.objectContaining({ code: 'invalid_response', message: expect.stringContaining('more pages than the 2 asked for') as unknown }) as Error);
    expect(parseSyncResponse(paged(8), 0).next).toHaveLength(7);
  });

  it('a request that is not one is the caller\'s mistake: a ValidationError', () => {
    for (const asked of [null, 5, { limit: 0 }, { limit: 5001 }, { pages: 9 }, { limit: '10' }]) {
      expect(() => parseSyncResponse(plain(1), 0, asked as never)).toThrow(ValidationError);
    }
  });
});
