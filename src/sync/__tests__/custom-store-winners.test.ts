/**
 * Round 68: a custom store whose winners() answers an hlc that no message has (a join's wrong
 * column: year 2099, later than anything the store was given), with the reference server on loopback.
 */
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, StoreError, type SyncClient, type SyncStore } from '../index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { createMapStore } from './harness/custom-stores.ts';
import { schema } from './harness/test-kit.ts';

const server = useRealServer();
const INVENTED = '2099-01-01T00:00:00.000Z-0000-ghost';

/** The Map store, whose winners() answers INVENTED for every cell it holds while `inventing` is set. */
function inventing(): { store: SyncStore; inner: ReturnType<typeof createMapStore>; state: { inventing: boolean } } {
  const inner = createMapStore();
  const state = { inventing: false };
  const store: SyncStore = {
    open: (s) => inner.open(s),
    winners: (cells) => {
      const real = inner.winners(cells) as Map<string, string>;
      return state.inventing ? new Map([...real.keys()].map((k) => [k, INVENTED])) : real;
    },
    values: (cells) => inner.values!(cells),
    messages: (q) => inner.messages(q),
    commit: (c) => inner.commit(c),
  };
  return { store, inner, state };
}

async function device(store: SyncStore, user: string): Promise<SyncClient> {
  return createSyncClient({ schema, store, remote: createHttpRemote({ url: server.url, token: await server.token(user) }), autoSync: false });
}

/** Every hlc the server holds of `user`, as a fresh device pulls them, and its row t1. */
async function held(user: string): Promise<{ hlcs: string[]; t1: unknown }> {
  const store = createMapStore();
  const reader = await device(store, user);
  await reader.sync();
  const hlcs = (await reader.recent(1000)).map((m) => m.hlc);
  await reader.close();
  return { hlcs, t1: store.readRow('todos', 't1') };
}

describe('a custom store whose winners() answers an hlc no message has', () => {
  it('is a StoreError naming winners(), for a local write and a pull alike: the clock stays, nothing is written, and fixed, the devices converge', async () => {
    const f = inventing();
    const client = await device(f.store, 'ghost');
    const first = await client.set('todos', 't1', 'title', 'first');
    await client.sync();
    f.state.inventing = true;

    // A local write: the clock is not moved to 2099, nothing is written.
    const failed = await client.set('todos', 't1', 'title', 'second').then(() => null, (e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreError);
    expect((failed as StoreError).message).toBe(`the store broke its contract in winners(): winners() returned ${INVENTED}, which is later than every hlc it was given`);
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'first' });
    expect(client.status.pending).toBe(0);

    // A pull: another device's later write does not lose to the invented winner; nothing applied.
    const other = await device(createMapStore(), 'ghost');
    await other.set('todos', 't1', 'title', 'other');
    await other.sync();
    const cursor = client.status.cursor;
    expect(await client.sync().then(() => null, (e: unknown) => e)).toBeInstanceOf(StoreError);
    expect(client.status).toMatchObject({ state: 'error', cursor, error: { code: 'store' } });
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'first' });

    // Fixed: the pull applies, a later write wins, and no hlc anywhere is from 2099.
    f.state.inventing = false;
    await client.sync();
    expect(f.inner.readRow('todos', 't1')).toEqual({ title: 'other' });
    const third = await client.set('todos', 't1', 'title', 'third');
    expect(third.hlc.slice(0, 4)).toBe(first.hlc.slice(0, 4));
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    const server = await held('ghost');
    expect(server.t1).toEqual({ title: 'third' });
    expect(server.hlcs.filter((h) => h.slice(0, 4) !== first.hlc.slice(0, 4))).toEqual([]);
    await client.close();
    await other.close();
  });
});
