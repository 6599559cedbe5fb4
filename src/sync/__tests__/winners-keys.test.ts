/**
 * A custom store whose `winners()` answers a Map keyed otherwise than by `cellKey` (its own
 * key, such as `todos.t1.title`). The client found no winner under the keys it looks up, so
 * every pulled message won its cell: an older write of another device replaced this device's
 * newer one here, while the server and the other devices kept the newer one, for good and
 * without a word (until round 56: the memory and SQLite stores refuse such a write of their own, a store that
writes what it is given does not). The guard checks the first key of each such answer (one
 * per answer, not one per cell): a StoreError that names the key, and nothing committed.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, cellKey, createSyncClient, type SyncStore } from '../index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { T0, memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

type Key = (table: string, row: string, column: string) => string;
/** A cell no one asks about, with an hlc: what a store that answers more than it is asked adds first. */
const EXTRA: readonly [string, string] = [cellKey('todos', 'other', 'title'), '2020-01-01T00:00:00.000Z-0000-someone'];

/** `inner` whose winners() re-keys each entry with `key` (from its cellKey parts), `extra` entries first. */
const rekeyed = (inner: SyncStore, key: Key, extra: readonly (readonly [string, string])[], written: unknown[]): SyncStore => ({
  ...inner,
  // What each commit writes, as a store that writes what it is given (no check of its own) would.
  commit: (c) => (written.push(...(c.writes ?? []).map((w) => w.value)), inner.commit(c)),
  winners: (cells) => {
    const found = inner.winners(cells) as ReadonlyMap<string, string>;
    return new Map([...extra, ...[...found].map(([k, hlc]) => [key(...(k.split('\0') as [string, string, string])), hlc] as const)]);
  },
});

/**
 * Theirs writes t1's title first, offline; mine writes it later and pushes it; theirs then
 * pushes its older write, and mine's next pull brings it: older than the cell's winner here.
 */
async function olderPulledOverNewer(key: Key, extra: readonly (readonly [string, string])[] = []) {
  // A server that keeps every message (a compacting one drops the older write as it comes).
  const server = createInProcessServer({ store: createMemoryServerStore({ compaction: false }) });
  const clock = { t: T0 };
  const written: unknown[] = [];
  const theirs = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false, now: () => clock.t });
  const mine = await createSyncClient({ schema, store: rekeyed(memory(), key, extra, written), remote: server.remote('u'), autoSync: false, now: () => clock.t });
  await theirs.set('todos', 't1', 'title', 'theirs, older');
  clock.t += 1000;
  await mine.set('todos', 't1', 'title', 'mine, newer');
  await mine.sync();
  await theirs.sync();
  await theirs.close();
  const err = await caught(() => mine.sync());
  await mine.close();
  return { err, written };
}

describe('winners() keyed otherwise than by cellKey', () => {
  for (const [name, key] of [
    ['dotted', (t: string, r: string, c: string) => `${t}.${r}.${c}`],
    ['JSON', (t: string, r: string, c: string) => JSON.stringify([t, r, c])],
    ['by row only', (_t: string, r: string) => r],
  ] as const) {
    it(`${name}: a StoreError naming the key, and the newer local write stays`, async () => {
      const { err, written } = await olderPulledOverNewer(key);
      expect(written).not.toContain('theirs, older');
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'store', message: expect.stringContaining('winners() answered the key') });
    });
  }

  it('by cellKey, with cells not asked for besides: fine', async () => {
    const { err, written } = await olderPulledOverNewer((t, r, c) => cellKey(t, r, c), [EXTRA]);
    expect(err).toBeNull();
    expect(written).toEqual(['mine, newer']);
  });
});
