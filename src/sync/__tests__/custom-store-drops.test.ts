/**
 * Round 68: a custom store whose commit() silently keeps only some of the messages it is
 * given (9 of 10: a batch insert's off-by-one), with the reference server on loopback. Until
 * round 68 the dropped write was lost without a word: the row showed it, nothing pushed it,
 * no other device saw it, and `status.pending` said 1 for good while every sync ended idle.
 * A store without `transact` has one client at a time, so what it holds pending is what that
 * client committed and has not pushed: the sync's read of it finds the loss, a StoreError
 * naming commit(), and the client goes on with what the store kept.
 */
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, StoreError, type Commit, type SyncClient, type SyncStore } from '../index.ts';
import { useRealServer } from '../../../test-support/real-server.ts';
import { createMapStore } from './harness/custom-stores.ts';
import { schema } from './harness/test-kit.ts';

const server = useRealServer();

/** The Map store, whose commit() drops every tenth local message it is given to insert while `dropping` is set. */
function dropping(): { store: SyncStore; inner: ReturnType<typeof createMapStore>; state: { dropping: boolean; dropped: string[] } } {
  const inner = createMapStore();
  let seen = 0;
  const state = { dropping: true, dropped: [] as string[] };
  const keep = (c: Commit): Commit => (!state.dropping || !c.insert ? c : {
    ...c,
    insert: c.insert.filter((m) => (!m.local || ++seen % 10 !== 0 || (state.dropped.push(m.hlc), false))),
  });
  const store: SyncStore = {
    open: (s) => inner.open(s),
    winners: (cells) => inner.winners(cells),
    values: (cells) => inner.values!(cells),
    messages: (q) => inner.messages(q),
    commit: (c) => inner.commit(keep(c)),
  };
  return { store, inner, state };
}

async function device(store: SyncStore, user: string): Promise<SyncClient> {
  return createSyncClient({ schema, store, remote: createHttpRemote({ url: server.url, token: await server.token(user) }), autoSync: false });
}

/** What the server holds of `user`'s todos, as a fresh device pulls them: row → title. */
async function held(user: string): Promise<Record<string, unknown>> {
  const store = createMapStore();
  const reader = await device(store, user);
  await reader.sync();
  await reader.close();
  const rows: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++) {
    const row = store.readRow('todos', `t${i}`);
    if (row) rows[`t${i}`] = row.title;
  }
  return rows;
}

const titles = (from: number, to: number, except: number[] = []): Record<string, string> =>
  Object.fromEntries(Array.from({ length: to - from }, (_, i) => from + i).filter((i) => !except.includes(i)).map((i) => [`t${i}`, `v${i}`]));

describe('a custom store whose commit() drops some of the messages it is given', () => {
  it('is a StoreError naming commit() at the next sync; the kept writes then reach the server once, and each later loss is reported too', async () => {
    const f = dropping();
    const client = await device(f.store, 'drops');
    for (let i = 0; i < 10; i++) await client.set('todos', `t${i}`, 'title', `v${i}`);
    expect(f.state.dropped).toHaveLength(1);
    // The store shows the dropped write (its cell was written) but holds no message of it.
    expect(f.inner.readRow('todos', 't9')).toEqual({ title: 'v9' });
    expect(client.status.pending).toBe(10);

    const err = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toBe('the store broke its contract in commit(): it holds 9 of the 10 messages to push it was given: it dropped writes');
    expect(client.status).toMatchObject({ state: 'error', pending: 9, error: { code: 'store' } });
    // Nothing pushed before the error: the server has nothing half-done.
    expect(await held('drops')).toEqual({});

    // The next sync pushes what the store kept, each once; the dropped write is the store's loss.
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    expect(await held('drops')).toEqual(titles(0, 9));

    // Ten more, one dropped again: reported again; fixed, nothing more is lost.
    for (let i = 10; i < 20; i++) await client.set('todos', `t${i}`, 'title', `v${i}`);
    expect(await client.sync().then(() => null, (e: unknown) => e)).toBeInstanceOf(StoreError);
    f.state.dropping = false;
    await client.set('todos', 't0', 'title', 'v0 again');
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    expect(await held('drops')).toEqual({ ...titles(0, 19, [9]), t0: 'v0 again' });
    await client.close();
  });
});
