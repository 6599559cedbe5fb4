/**
 * The server-store conformance suite. Every server store (in memory, SQLite, PostgreSQL, or
 * yours) must pass it with compaction on and with compaction off:
 *
 * ```ts
 * for (const compaction of [true, false])
 *   for (const c of serverStoreConformance(() => openStore({ compaction }), { compaction }))
 *     test.skipIf(c.skip !== undefined)(c.skip ? `${c.name} (skipped: ${c.skip})` : c.name, c.run);
 * ```
 *
 * A store that keeps nothing across a restart passes `persistent: false`: its restart case
 * comes with `skip` and the reason (see ConformanceCase).
 */
import { formatHlc } from '../hlc.ts';
import type { JsonValue, Message, ServerMessage } from '../message.ts';
import type { ServerStore } from '../server/server-store.ts';
import { check, checkEqual, checkRejects } from './assert.ts';
import { invalidArgument } from '../errors.ts';
import { NOT_PERSISTENT, TRICKY_VALUES, checkSuiteArguments, conformanceCase, restart, type ConformanceCase, type ConformanceOptions } from './store-fixtures.ts';

export interface ServerStoreHarness {
  readonly store: ServerStore;
  /** Closes this store and opens the same database again. Required unless the suite is told `persistent: false`. */
  reopen?(): ServerStoreHarness | Promise<ServerStoreHarness>;
  dispose?(): void | Promise<void>;
}

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);
const m = (n: number, clientId: string, row: string, value: JsonValue, column = 'title'): Message => ({
  hlc: formatHlc({ millis: BASE + n, counter: 0, clientId }),
  table: 'notes',
  row,
  column,
  value,
});

/** Every message of a user, read through the contract (as a client that wrote none of them). */
async function pullAll(store: ServerStore, user: string, limit = 1000): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  let cursor = 0;
  for (;;) {
    const page = await store.pull(user, { cursor, limit, excludeClientId: 'observer' });
    out.push(...page.messages);
    check(page.cursor >= cursor, 'the cursor never goes back');
    cursor = page.cursor;
    if (!page.more) return out;
  }
}

function checkIncreasing(list: readonly ServerMessage[], what: string): void {
  for (let i = 1; i < list.length; i++) {
    check((list[i] as ServerMessage).id > (list[i - 1] as ServerMessage).id, `${what}: ids increase`);
  }
}

export function serverStoreConformance(
  create: () => ServerStoreHarness | Promise<ServerStoreHarness>,
  options: { readonly compaction: boolean } & Pick<ConformanceOptions, 'persistent'>,
): ConformanceCase[] {
  checkSuiteArguments('serverStoreConformance', create, options, { compaction: 0, persistent: 0 });
  // Required: it says which answers are right (a compacted log keeps one message per cell).
  if (typeof options.compaction !== 'boolean') throw invalidArgument('serverStoreConformance: options.compaction must be true or false');
  const persistent = options.persistent ?? true;
  const cases: ConformanceCase[] = [];
  const mode = options.compaction ? 'compaction on' : 'compaction off';
  const add = (name: string, body: (h: ServerStoreHarness) => Promise<ServerStoreHarness | void>, needsRestart = false): void => {
    cases.push(conformanceCase(`${name} (${mode})`, needsRestart && !persistent ? NOT_PERSISTENT : undefined, create, body));
  };

  add('ids start at 1 and grow per user, in push order', async ({ store }) => {
    const r1 = await store.push('alice', [m(1, 'A', 'r1', 'a'), m(2, 'A', 'r2', 'b')]);
    checkEqual([r1.accepted, r1.stored, r1.maxId], [2, 2, 2], 'first push');
    await store.push('bob', [m(3, 'B', 'r1', 'x')]);
    const r2 = await store.push('alice', [m(4, 'A', 'r3', 'c')]);
    checkEqual(r2.maxId, 3, 'alice continues at 3');
    checkEqual((await pullAll(store, 'alice')).map((x) => [x.id, x.value]), [[1, 'a'], [2, 'b'], [3, 'c']], 'alice');
    checkEqual((await pullAll(store, 'bob')).map((x) => [x.id, x.value]), [[1, 'x']], 'bob starts at 1 too');
  });

  add('a re-push is accepted again and stored once', async ({ store }) => {
    const batch = [m(1, 'A', 'r1', 'a'), m(2, 'A', 'r2', 'b')];
    await store.push('u', batch);
    const again = await store.push('u', batch);
    checkEqual([again.accepted, again.stored], [2, 0], 're-push counts');
    const dup = await store.push('u', [m(3, 'A', 'r3', 'c'), m(3, 'A', 'r3', 'c')]);
    checkEqual([dup.accepted, dup.stored], [2, 1], 'a duplicate inside one push');
    checkEqual((await pullAll(store, 'u')).length, 3, 'each message once');
  });

  add('pull: id > cursor, id order, limit, more, and the caller\'s own messages left out', async ({ store }) => {
    await store.push('u', [m(1, 'A', 'a1', 1), m(2, 'A', 'a2', 2)]);
    await store.push('u', [m(3, 'B', 'b1', 3), m(4, 'B', 'b2', 4), m(5, 'B', 'b3', 5)]);
    await store.push('u', [m(6, 'A', 'a3', 6)]);
    const p1 = await store.pull('u', { cursor: 0, limit: 2, excludeClientId: 'A' });
    checkEqual([p1.messages.map((x) => x.value), p1.more, p1.cursor], [[3, 4], true, 4], 'first page (A\'s own left out)');
    const p2 = await store.pull('u', { cursor: p1.cursor, limit: 2, excludeClientId: 'A' });
    checkEqual([p2.messages.map((x) => x.value), p2.more, p2.cursor], [[5], false, 6], 'last page: the cursor passes A\'s own id 6');
    const p3 = await store.pull('u', { cursor: 6, limit: 10, excludeClientId: 'A' });
    checkEqual([p3.messages.length, p3.more, p3.cursor], [0, false, 6], 'nothing new');
    const p4 = await store.pull('u', { cursor: 99, limit: 10, excludeClientId: 'A' });
    checkEqual([p4.messages.length, p4.cursor], [0, 99], 'a cursor is never lowered');
    const p5 = await store.pull('nobody', { cursor: 0, limit: 10, excludeClientId: 'A' });
    checkEqual([p5.messages.length, p5.more, p5.cursor], [0, false, 0], 'an unknown user has nothing');
    const exact = await store.pull('u', { cursor: 0, limit: 3, excludeClientId: 'A' });
    checkEqual([exact.messages.length, exact.more, exact.cursor], [3, false, 6], 'a page that ends exactly at the end');
  });

  add('pull with includeOwn: the caller\'s own messages too, in id order (a restored client\'s lost writes)', async ({ store }) => {
    await store.push('u', [m(1, 'A', 'a1', 1), m(2, 'B', 'b1', 2)]);
    await store.push('u', [m(3, 'A', 'a2', 3), m(4, 'B', 'b2', 4)]);
    const all = await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A', includeOwn: true });
    checkEqual([all.messages.map((x) => x.value), all.more, all.cursor], [[1, 2, 3, 4], false, 4], 'every message after the cursor');
    const p1 = await store.pull('u', { cursor: 1, limit: 2, excludeClientId: 'A', includeOwn: true });
    checkEqual([p1.messages.map((x) => x.value), p1.more, p1.cursor], [[2, 3], true, 3], 'a page of two, A\'s own among them');
    const without = await store.pull('u', { cursor: 1, limit: 2, excludeClientId: 'A', includeOwn: false });
    checkEqual(without.messages.map((x) => x.value), [2, 4], 'includeOwn: false leaves them out, as without it');
  });

  add('pull tells the user\'s greatest id and epoch; renewEpoch replaces the epoch once', async ({ store }) => {
    const none = await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A' });
    checkEqual([none.lastId, none.epoch], [0, ''], 'a user with no messages: id 0, no epoch');
    checkEqual(await store.renewEpoch('u', ''), '', 'nothing to renew for a user with no messages');
    const first = await store.push('u', [m(1, 'A', 'a', 1), m(2, 'B', 'b', 2), m(3, 'B', 'c', 3)]);
    checkEqual(first.maxId - first.stored, 0, 'maxId - stored: the greatest id before the push');
    const page = await store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'A' });
    checkEqual([page.messages.length, page.more, page.lastId], [1, true, 3], 'a page that is not the last still tells the greatest id');
    check(/^[A-Za-z0-9_-]{1,64}$/.test(page.epoch), `an epoch of 1 to 64 characters [A-Za-z0-9_-], got ${JSON.stringify(page.epoch)}`);
    checkEqual((await store.pull('u', { cursor: 3, limit: 10, excludeClientId: 'A' })).epoch, page.epoch, 'the epoch stays');
    await store.push('w', [m(1, 'A', 'a', 1)]);
    check((await store.pull('w', { cursor: 0, limit: 10, excludeClientId: 'A' })).epoch !== page.epoch, 'each user has an epoch of its own');
    const renewed = await store.renewEpoch('u', page.epoch);
    check(renewed !== page.epoch && /^[A-Za-z0-9_-]{1,64}$/.test(renewed), 'a new epoch');
    checkEqual((await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A' })).epoch, renewed, 'pulls tell the new epoch');
    checkEqual(await store.renewEpoch('u', page.epoch), renewed, 'renewing from an epoch already replaced changes nothing');
    const again = await store.push('u', [m(4, 'A', 'd', 4)]);
    checkEqual([again.maxId - again.stored, again.maxId], [3, 4], 'ids go on after a renewal');
    checkEqual((await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'A' })).lastId, 4, 'the greatest id');
  });

  add('users are isolated', async ({ store }) => {
    await store.push('alice', [m(1, 'A', 'secret', 'alice only')]);
    await store.push('bob', [m(1, 'A', 'secret', 'bob only')]);
    checkEqual((await pullAll(store, 'alice')).map((x) => x.value), ['alice only'], 'alice');
    checkEqual((await pullAll(store, 'bob')).map((x) => x.value), ['bob only'], 'bob: same hlc, separate message');
  });

  add('values round-trip exactly', async ({ store }) => {
    await store.push('u', TRICKY_VALUES.map((v, i) => m(i + 1, 'A', `r${i}`, v, 'meta')));
    checkEqual((await pullAll(store, 'u')).map((x) => x.value), TRICKY_VALUES, 'values');
  });

  add('a push that fails midway stores nothing', async ({ store }) => {
    await store.push('u', [m(1, 'A', 'before', 'kept')]);
    const poisoned = { ...m(3, 'A', 'r3', 'c') };
    Object.defineProperty(poisoned, 'value', { enumerable: true, get: () => { throw new Error('poisoned message'); } });
    let failed = false;
    try {
      await store.push('u', [m(2, 'A', 'r2', 'b'), poisoned]);
    } catch {
      failed = true;
    }
    check(failed, 'the push fails');
    checkEqual((await pullAll(store, 'u')).map((x) => x.value), ['kept'], 'nothing of the failed push is stored');
    const next = await store.push('u', [m(4, 'A', 'r4', 'd')]);
    checkEqual(next.stored, 1, 'the store still works');
  });

  add('calls that are not the contract\'s are refused with a ValidationError, and store nothing (checkServerStoreCall)', async ({ store }) => {
    const good = m(1, 'A', 'r1', 'a');
    const calls: [string, () => unknown][] = [
      ['push(5, messages)', () => store.push(5 as never, [good])],
      ["push('', messages)", () => store.push('', [good])],
      ["push('u', 'x')", () => store.push('u', 'x' as never)],
      ["push('u', [message, a message whose hlc is not one])", () => store.push('u', [good, { ...m(2, 'A', 'r2', 'b'), hlc: 'x' }])],
      ["push('u', [message, a message without its value])", () => store.push('u', [good, { hlc: m(3, 'A', 'r3', 'c').hlc, table: 'notes', row: 'r3', column: 'title' } as never])],
      ["pull('u', null)", () => store.pull('u', null as never)],
      ["pull('u', { cursor: -1 })", () => store.pull('u', { cursor: -1, limit: 10, excludeClientId: 'A' })],
      ["pull('u', { limit: 0 })", () => store.pull('u', { cursor: 0, limit: 0, excludeClientId: 'A' })],
      ["pull(null, options)", () => store.pull(null as never, { cursor: 0, limit: 10, excludeClientId: 'A' })],
      ["renewEpoch('u', 5)", () => store.renewEpoch('u', 5 as never)],
      ["renewEpoch(5, '')", () => store.renewEpoch(5 as never, '')],
    ];
    for (const [call, run] of calls) {
      const err = (await checkRejects(run, call)) as { name?: unknown; code?: unknown };
      // By name and code, not by class: the store may have its own copy of the library.
      check(err?.name === 'ValidationError' && err.code === 'invalid_argument', `${call}: refused with a ValidationError (invalid_argument), got ${String(err)}`);
    }
    checkEqual([(await pullAll(store, 'u')).length, (await pullAll(store, '5')).length], [0, 0], 'nothing of the refused pushes is stored');
  });

  add('parallel pushes from many clients get unique ids, each visible once in id order', async ({ store }) => {
    const clients = Array.from({ length: 12 }, (_, i) => `C${i}`);
    await Promise.all(clients.flatMap((c, ci) => Array.from({ length: 5 }, (_, k) =>
      store.push('u', Array.from({ length: 7 }, (_, j) => m(1 + ci * 100 + k * 10 + j, c, `${c}-${k}-${j}`, j))))));
    const all = await pullAll(store, 'u', 7);
    checkIncreasing(all, 'small pages');
    checkEqual(all.length, 12 * 5 * 7, 'every message once');
    checkEqual(new Set(all.map((x) => x.id)).size, all.length, 'unique ids');
  });

  add('a full push of 5000 messages', async ({ store }) => {
    const batch = Array.from({ length: 5000 }, (_, i) => m(i + 1, 'A', `r${i}`, i));
    checkEqual((await store.push('u', batch)).stored, 5000, 'stored');
    const all = await pullAll(store, 'u', 5000);
    checkEqual([all.length, all[4999]?.id], [5000, 5000], 'read back');
  });

  if (options.compaction) {
    add('compaction: a message that lost its cell is not kept', async ({ store }) => {
      await store.push('u', [m(10, 'A', 'r', 'newer')]);
      const late = await store.push('u', [m(5, 'B', 'r', 'older')]);
      checkEqual([late.accepted, late.stored], [1, 0], 'accepted, not stored');
      checkEqual((await pullAll(store, 'u')).map((x) => x.value), ['newer'], 'only the winner');
    });
    add('compaction: a newer winner replaces its cell under a new id', async ({ store }) => {
      await store.push('u', [m(1, 'A', 'r', 'v1'), m(2, 'A', 'other', 'x')]);
      const before = await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' });
      const replaced = await store.push('u', [m(3, 'A', 'r', 'v2')]);
      checkEqual([replaced.accepted, replaced.stored, replaced.maxId], [1, 1, 3], 'a replacement is stored, under a new id');
      const all = await pullAll(store, 'u');
      checkEqual(all.map((x) => x.value), ['x', 'v2'], 'one message per cell');
      check((all[1] as ServerMessage).id > before.cursor, 'the new winner comes after every cursor already handed out');
      for (let i = 4; i < 200; i++) await store.push('u', [m(i, i % 2 ? 'A' : 'B', 'r', `v${i}`)]);
      checkEqual((await pullAll(store, 'u')).length, 2, 'storage grows with cells, not edits');
    });
  } else {
    add('without compaction every message is kept', async ({ store }) => {
      await store.push('u', [m(10, 'A', 'r', 'newer')]);
      await store.push('u', [m(5, 'B', 'r', 'older')]);
      checkEqual((await pullAll(store, 'u')).map((x) => x.value), ['newer', 'older'], 'both, in id order');
    });
  }

  add('everything survives a restart, and ids are never reused', async (h) => {
    await h.store.push('u', [m(1, 'A', 'r1', 'a'), m(2, 'A', 'r2', 'b')]);
    const epoch = (await h.store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'A' })).epoch;
    const h2 = await restart(h, persistent);
    checkEqual((await pullAll(h2.store, 'u')).map((x) => x.value), ['a', 'b'], 'kept');
    checkEqual((await h2.store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'A' })).epoch, epoch, 'the epoch is kept');
    const renewed = await h2.store.renewEpoch('u', epoch);
    const h3 = await restart(h2, persistent);
    checkEqual((await h3.store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'A' })).epoch, renewed, 'a renewed epoch is kept');
    checkEqual((await h3.store.push('u', [m(3, 'A', 'r3', 'c')])).maxId, 3, 'ids continue');
    return h3;
  }, true);

  return cases;
}
