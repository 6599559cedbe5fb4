/**
 * The shared-store cases of the store conformance suite, run with `{ shared: true }`: two
 * stores on one database (one SQLite file, two processes), the harness's and another from its
 * `connect()`. They check the rules of docs/api.md (`transact`) that a store several
 * connections share must keep; each broken one cost the file writes (two writes with one
 * hlc, writes the server refused, an older value shown for good).
 */
import { cellKey } from '../message.ts';
import { META, type Cell, type StoredMessage, type SyncStore } from '../store.ts';
import { check, checkEqual, checkRejects } from './assert.ts';
import { msg, requireOptional, schemaV1, write, type OptionalFunction, type StoreHarness } from './store-fixtures.ts';

export interface SharedCase {
  readonly name: string;
  readonly optional?: OptionalFunction;
  /** `h.store` and `other` are two stores on one database, both open on the suite's schema. */
  run(h: StoreHarness, other: SyncStore): Promise<void>;
}

const hlcs = (list: readonly StoredMessage[]): string[] => list.map((m) => m.hlc);
const cellOf = (m: StoredMessage): Cell => ({ table: m.table, row: m.row, column: m.column });
const winnersOf = async (store: SyncStore, ms: readonly StoredMessage[]): Promise<Record<string, string>> => Object.fromEntries(await store.winners(ms.map(cellOf)));
const winning = (...ms: StoredMessage[]): Record<string, string> => Object.fromEntries(ms.map((m) => [cellKey(m.table, m.row, m.column), m.hlc]));

/**
 * Rule 1: the clients of both stores read one clientId from it, each with its own clock; a
 * `newest` of the cells' winners only let two writes in one millisecond take one hlc, of
 * which the server kept one.
 */
const newestPastOthers: SharedCase = {
  name: 'shared store: once another store committed, transact passes plan at least the greatest hlc the store holds',
  optional: 'transact',
  async run({ store: a }, b) {
    requireOptional(a, 'transact');
    requireOptional(b, 'transact');
    const seen: { step: string; newest: string | null; atLeast: string }[] = [];
    const local = async (s: typeof a, m: StoredMessage, atLeast: StoredMessage, step: string): Promise<void> => {
      await s.transact([cellOf(m)], (newest) => (seen.push({ step, newest, atLeast: atLeast.hlc }), { insert: [m], writes: [write(m)] }));
    };
    const pulled = msg(9, 'notes', 'p', 'title', 'pulled', { local: false });
    await a.commit({ insert: [pulled], writes: [write(pulled)] });
    const fromB = msg(10, 'notes', 'b', 'title', 'from b');
    await local(b, fromB, pulled, 'the other store\'s first write (its cell never written), after a pulled page');
    const fromA = msg(11, 'notes', 'a', 'title', 'from a');
    await local(a, fromA, fromB, 'a write after the other store\'s');
    const later = msg(12, 'notes', 'q', 'title', 'pulled later', { local: false });
    await b.commit({ insert: [later], writes: [write(later)] });
    // The other commit noticed first by a query, not by a write, still counts.
    await a.messages({ kind: 'pending', limit: 10 });
    await a.winners([cellOf(later)]);
    await local(a, msg(13, 'notes', 'a', 'title', 'again'), later, 'a write after a query that saw the other store\'s commit');
    checkEqual(seen.map((s) => s.step), ['the other store\'s first write (its cell never written), after a pulled page', 'a write after the other store\'s', 'a write after a query that saw the other store\'s commit'], 'plan is called once a write');
    for (const { step, newest, atLeast } of seen) check(newest !== null && newest >= atLeast, `${step}: plan got ${String(newest)}, less than ${atLeast}, the greatest hlc the store holds`);
  },
};

/**
 * Rule 2: two processes that open a new file at once each make a clientId, and the file kept
 * the last: the other's writes, stamped with an id it no longer had, were all refused by the
 * server. Refused, the client opens the store again and takes the clientId it holds.
 */
const oneClientId: SharedCase = {
  name: 'shared store: a commit that gives the store another clientId than the one it holds is refused, all of it, with a StoreError',
  async run({ store: a, readRow }, b) {
    const kept = msg(1, 'notes', 'k', 'title', 'kept');
    await a.commit({ insert: [kept], writes: [write(kept)], meta: { [META.clientId]: 'clientA' } });
    const fromB = msg(2, 'notes', 'x', 'title', 'from b');
    const refused = await checkRejects(
      () => b.commit({ insert: [fromB], update: [{ hlc: kept.hlc, synced: true }], writes: [write(fromB)], meta: { [META.clientId]: 'clientB', cursor: '7' } }),
      'the other store\'s commit of another clientId',
    );
    // By name: a store bundled with its own copy of fieldsync throws a StoreError of another class.
    check(refused instanceof Error && refused.name === 'StoreError', `a StoreError, got ${String(refused)}`);
    for (const [s, which] of [[a, 'the first store'], [b, 'the other store']] as const) {
      checkEqual((await s.open(schemaV1)).meta, { [META.clientId]: 'clientA' }, `${which}: meta as before`);
      checkEqual(await s.messages({ kind: 'recent', limit: 10 }), [kept], `${which}: no message stored, none updated`);
      checkEqual(await winnersOf(s, [kept, fromB]), winning(kept), `${which}: no cell written`);
    }
    check((await readRow('notes', 'x')) === undefined, 'no row written');
    await b.commit({ insert: [fromB], writes: [write(fromB)], meta: { [META.clientId]: 'clientA', cursor: '7' } });
    checkEqual((await a.open(schemaV1)).meta, { [META.clientId]: 'clientA', cursor: '7' }, 'the clientId the store holds is no reason: that commit is applied');
    checkEqual((await readRow('notes', 'x'))?.title, 'from b', 'and its write');
  },
};

/**
 * Rule 3: a sync reads its cells' winners, plans, then commits; another process's local write
 * in between was written over by an older pulled message, and the file showed it for good,
 * while every other device showed the newer one.
 */
const laterWinner = (via: 'commit' | 'transact'): SharedCase => ({
  name: `shared store: a commit does not write over a greater winner that another store committed (by ${via}) after its winners() read; its message is kept, as a loser`,
  ...(via === 'transact' ? { optional: 'transact' as const } : {}),
  async run({ store: a, readRow }, b) {
    const pulled = msg(1, 'notes', 'x', 'title', 'older, pulled', { local: false });
    const elsewhere = msg(3, 'notes', 'y', 'title', 'another cell', { local: false });
    const mine = msg(2, 'notes', 'x', 'title', 'newer, local');
    checkEqual(await winnersOf(a, [pulled, elsewhere]), {}, 'the sync\'s read: no winners yet');
    if (via === 'commit') await b.commit({ insert: [mine], writes: [write(mine)] });
    else {
      requireOptional(b, 'transact');
      await b.transact([cellOf(mine)], () => ({ insert: [mine], writes: [write(mine)] }));
    }
    await a.commit({ insert: [pulled, elsewhere], writes: [write(pulled), write(elsewhere)] });
    checkEqual((await readRow('notes', 'x'))?.title, 'newer, local', 'the cell keeps the other store\'s newer value');
    checkEqual((await readRow('notes', 'y'))?.title, 'another cell', 'the commit\'s other writes are applied');
    for (const [s, which] of [[a, 'the first store'], [b, 'the other store']] as const) {
      checkEqual(await winnersOf(s, [mine, elsewhere]), winning(mine, elsewhere), `${which}: winners`);
    }
    checkEqual(hlcs(await a.messages({ kind: 'cell', table: 'notes', row: 'x', column: 'title' })).sort(), [pulled.hlc, mine.hlc], 'the cell\'s history: the loser is stored, applied');
    checkEqual(hlcs(await a.messages({ kind: 'recent', limit: 10 })), [elsewhere.hlc, mine.hlc, pulled.hlc], 'every message stored');
    checkEqual(hlcs(await a.messages({ kind: 'pending', limit: 10 })), [mine.hlc], 'the newer local write is still pending');
  },
});

/**
 * Rule 3's exception: a refused winner's repair falls back to an older message, and a
 * re-stamp removes a message the server never accepted. The winner such a commit updates or
 * removes is no reason to leave its write out, whoever committed it and when.
 */
const repairApplied: SharedCase = {
  name: 'shared store: a commit whose write replaces a winner it updates or removes is applied, though another store committed that winner after its winners() read',
  async run({ store: a, readRow }, b) {
    const older = msg(1, 'notes', 'x', 'title', 'older', { local: false });
    const olderZ = msg(2, 'notes', 'z', 'title', 'older z', { local: false });
    await a.commit({ insert: [older, olderZ], writes: [write(older), write(olderZ)] });
    checkEqual(await winnersOf(a, [older, olderZ]), winning(older, olderZ), 'the repair\'s read');
    const refused = msg(3, 'notes', 'x', 'title', 'refused');
    const dropped = msg(4, 'notes', 'z', 'title', 'never accepted');
    await b.commit({ insert: [refused, dropped], writes: [write(refused), write(dropped)] });
    const error = 'refused: too long';
    await a.commit({ update: [{ hlc: refused.hlc, applied: false, error }], remove: [dropped.hlc], writes: [write(older), write(olderZ)] });
    const row = [(await readRow('notes', 'x'))?.title, (await readRow('notes', 'z'))?.title];
    checkEqual(row, ['older', 'older z'], 'the cells fall back to the older messages');
    for (const [s, which] of [[a, 'the first store'], [b, 'the other store']] as const) {
      checkEqual(await winnersOf(s, [older, olderZ]), winning(older, olderZ), `${which}: winners`);
    }
    checkEqual(await a.messages({ kind: 'rejected' }), [{ ...refused, applied: false, error }], 'the refused message is set aside');
    checkEqual(hlcs(await a.messages({ kind: 'recent', limit: 10 })), [refused.hlc, olderZ.hlc, older.hlc], 'the removed one is gone');
  },
};

/** In the order the suite lists them. */
export const SHARED_CASES: readonly SharedCase[] = [newestPastOthers, oneClientId, laterWinner('commit'), laterWinner('transact'), repairApplied];
