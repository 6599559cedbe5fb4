/**
 * The poke stream after the server comes back (round 63; the e2e restart-server scenario).
 * While the server is down the stream fails and sleeps out its own backoff, up to its maxMs;
 * syncs retry on theirs. Before, a sync that went through again left the stream asleep, so
 * realtime stayed off for up to that long with syncs already fine: another device's edit
 * showed only at the next sync. Now a sync that succeeds after failed ones restarts a stream
 * whose last word was an error; a healthy stream, or one that fails while syncs never did
 * (a server without the poke route), is left alone: no extra request per sync.
 */
import { describe, expect, it } from 'vitest';
import { NetworkError, createSyncClient, type Remote } from '../index.ts';
import type { PokeListener } from '../remote.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory, schema } from './harness/test-kit.ts';

/** A remote whose syncs fail while `down`, and whose stream the test drives. */
function flakyRemote() {
  const inner = createInProcessServer().remote('u');
  const state = { down: false, subscribed: 0, unsubscribed: 0, listener: null as PokeListener | null };
  const remote: Remote = {
    sync: (request) => (state.down ? Promise.reject(new NetworkError('the server is down')) : inner.sync(request)),
    subscribe: (_clientId, listener) => {
      state.subscribed++;
      state.listener = listener;
      return () => void state.unsubscribed++;
    },
  };
  return { remote, state };
}

async function client(remote: Remote) {
  return createSyncClient({ schema, store: memory(), remote, intervalMs: 0 });
}

describe('the poke stream when syncs go through again', () => {
  it('is restarted at once when it was down: realtime back with the server, not after its backoff', async () => {
    const { remote, state } = flakyRemote();
    const c = await client(remote);
    expect(state.subscribed).toBe(1);
    state.down = true;
    state.listener?.onError?.(new NetworkError('the stream lost the server'));
    await expect(c.sync()).rejects.toMatchObject({ code: 'network' });
    await expect(c.sync()).rejects.toMatchObject({ code: 'network' });
    expect([state.subscribed, state.unsubscribed]).toEqual([1, 0]); // nothing restarts while the server is down
    state.down = false;
    await c.sync();
    expect([state.subscribed, state.unsubscribed]).toEqual([2, 1]);
    await c.sync(); // once: the new stream has said nothing yet, and no sync failed since
    expect([state.subscribed, state.unsubscribed]).toEqual([2, 1]);
    await c.close();
  });

  it('is left alone when it reconnected by itself before the sync went through', async () => {
    const { remote, state } = flakyRemote();
    const c = await client(remote);
    state.down = true;
    state.listener?.onError?.(new NetworkError('the stream lost the server'));
    await expect(c.sync()).rejects.toMatchObject({ code: 'network' });
    state.down = false;
    state.listener?.onOpen?.();
    await c.sync();
    expect([state.subscribed, state.unsubscribed]).toEqual([1, 0]);
    await c.close();
  });

  it('is left alone when it fails while syncs never did: no extra stream request per sync', async () => {
    const { remote, state } = flakyRemote();
    const c = await client(remote);
    state.listener?.onError?.(new NetworkError('no poke route here'));
    for (let i = 0; i < 3; i++) await c.sync();
    expect([state.subscribed, state.unsubscribed]).toEqual([1, 0]);
    await c.close();
  });
});
