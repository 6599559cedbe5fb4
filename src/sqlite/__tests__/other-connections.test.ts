/**
 * What a SQLite store does once another connection to its file has committed
 * (other-connections.ts), on a real file with two connections: a local write to a cell the
 * other pulled into since plans past that message and keeps it in the cell's history, one
 * to a cell the other wrote locally since keeps that write pending (round 63), and a
 * pulled page's cleared cell is written though the other connection committed between the
 * page's winners and its commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineSchema, type StoredMessage } from '../../sync/index.ts';
import { formatHlc } from '../../sync/hlc.ts';
import { schemaStores } from '../../../test-support/sqlite-harness.ts';

const T0 = Date.UTC(2026, 11, 7, 6);
const schema = defineSchema({ version: 1, tables: { notes: { title: 'string', body: 'string' } } });
const title = { table: 'notes', row: 'a', column: 'title' };
const message = (n: number, value: string, local: boolean, column = 'title'): StoredMessage => ({
  ...title, column, hlc: formatHlc({ millis: T0 + n, counter: 0, clientId: local ? 'me' : 'other' }), value,
  local, synced: !local, applied: true, error: null,
});
/** A commit of `m` that is also its cell's write (a local write, or a pulled winner). */
const written = (m: StoredMessage) => ({ insert: [m], writes: [{ ...title, column: m.column, value: m.value, hlc: m.hlc }] });

describe('another connection\'s commits', () => {
  const stores = schemaStores(schema);
  afterEach(() => stores.dispose());

  /** Two connections on one file, the first having written `title` locally (its cache knows the cell). */
  function twoAfterMyWrite() {
    const mine = stores.open();
    const other = stores.again();
    const first = message(1, 'mine', true);
    mine.transact([title], () => written(first));
    return { mine, other, first };
  }

  it('a local write after another connection pulled a message into its cell keeps that message in the cell\'s history', () => {
    const { mine, other, first } = twoAfterMyWrite();
    const pulled = message(5, 'pulled', false);
    other.commit(written(pulled));
    // The plan's newest is past the pulled message: this connection's cache of its own last write is stale.
    const next = message(9, 'mine again', true);
    let planned: string | null = null;
    mine.transact([title], (newest) => {
      planned = newest;
      return written(next);
    });
    expect(planned).toBe(pulled.hlc);
    expect(mine.readRow('notes', 'a')?.title).toBe('mine again');
    const history = mine.messages({ kind: 'cell', ...title }).map((m) => m.hlc).sort();
    expect(history).toEqual([first.hlc, pulled.hlc, next.hlc].sort());
  });

  it('a local write after another connection\'s local write to the same cell keeps that write pending, with its own value (round 63)', () => {
    // This connection's cache of its last write's winner is stale once the other commits: the
    // write below, planned from it, would overwrite the other's pending mark as if it were none.
    const { mine, other, first } = twoAfterMyWrite();
    const theirs = message(5, 'theirs', true);
    other.transact([title], () => written(theirs));
    const next = message(9, 'mine again', true);
    mine.transact([title], () => written(next));
    // Each as `value@hlc`, so a failure names what was lost or changed.
    const pending = (s: typeof mine) => s.messages({ kind: 'pending', limit: 10 }).map((m) => `${String(m.value)}@${m.hlc}`);
    const expected = [first, theirs, next].map((m) => `${String(m.value)}@${m.hlc}`);
    expect(pending(mine)).toEqual(expected);
    expect(pending(other)).toEqual(expected);
    expect(pending(stores.again())).toEqual(expected);
    expect(mine.readRow('notes', 'a')?.title).toBe('mine again');
  });

  it('a pulled page\'s write that clears a cell is written, though another connection committed after its winners were read', () => {
    const mine = stores.open();
    const other = stores.again();
    const old = message(1, 'old', false);
    mine.commit(written(old));
    mine.winners([title]);
    const elsewhere = message(2, 'elsewhere', false, 'body');
    other.commit(written(elsewhere));
    mine.commit({ writes: [{ ...title, value: null, hlc: null }] });
    expect(mine.winners([title]).size).toBe(0);
    expect(mine.readRow('notes', 'a')?.body).toBe('elsewhere');
  });
});
