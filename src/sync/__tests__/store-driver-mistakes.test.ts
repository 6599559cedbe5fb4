/**
 * Mistakes a store author makes over a SQL driver (round 60, a store on `node:sqlite` written
 * from the docs): each must be a StoreError that names the mistake, before anything is
 * written or pushed. Before round 60, `open()` answering its meta as a `Map` (the rows of a
 * meta table collected into one) passed the guard as an empty meta: the client made a new
 * clientId, saved it, read the Map again on its second open, and stopped with "another client
 * opened this store", about a takeover that never happened. Flags read back as SQLite's 0 and
 * 1 were refused as a message that "lacks its flags", which it does not. An asynchronous store
 * on IndexedDB that rejects with its request's error event (`request.onerror = reject`), or
 * with an error-like object, failed with "[object Event]" or "[object Object]", its cause
 * said nowhere but in `cause`.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, createSyncClient, type StoredMessage, type SyncStore } from '../index.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { memory, schema } from './harness/test-kit.ts';

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);

describe('a store over a SQL driver, with the mistakes one makes', () => {
  it("open() answering its meta as a Map: a StoreError that says meta must be an object, and nothing committed", async () => {
    const inner = memory();
    let commits = 0;
    const store: SyncStore = {
      ...inner,
      open: (s) => {
        const state = inner.open(s) as Awaited<ReturnType<SyncStore['open']>>;
        return { ...state, meta: new Map(Object.entries(state.meta)) as never };
      },
      commit: (c) => (commits++, inner.commit(c)),
    };
    const err = await failure(createSyncClient({ schema, store, autoSync: false }));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toBe('the store broke its contract in open(): open() returned meta as a Map: it must be an object of strings');
    expect(commits).toBe(0);
  });

  it('messages() answering flags as 0 and 1: a StoreError that says they must be booleans, and nothing pushed', async () => {
    const server = createInProcessServer();
    const inner = memory();
    const store: SyncStore = {
      ...inner,
      messages: (q) => (inner.messages(q) as readonly StoredMessage[]).map((m) => ({ ...m, local: +m.local, synced: +m.synced, applied: +m.applied }) as never),
    };
    const client = await createSyncClient({ schema, store, remote: server.remote('u'), autoSync: false });
    await client.set('todos', 't1', 'title', 'Milk');
    const err = await failure(client.sync());
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/^the store broke its contract in messages\(pending\): message \S+ has flags that are not booleans \(not 0 or 1\)$/);
    expect(server.requests).toBe(0);
    await client.close();
  });

  it("an asynchronous store that rejects with an IndexedDB request's error event, or an error-like object: the StoreError says what failed", async () => {
    const inner = memory();
    let thrown: unknown = null;
    const store: SyncStore = { ...inner, commit: async (c) => { if (thrown !== null) throw thrown; return inner.commit(c); } };
    const client = await createSyncClient({ schema, store, autoSync: false });
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const event = Object.defineProperty(new Event('error'), 'target', { value: { error: quota } });
    for (const [reason, text] of [[event, 'The quota has been exceeded.'], [{ name: 'QuotaExceededError', message: 'no room left' }, 'no room left']] as const) {
      thrown = reason;
      const err = await failure(client.set('todos', 't1', 'title', 'Milk'));
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toBe(`the store failed in commit(): ${text}`);
      expect((err as Error).cause).toBe(reason);
    }
    thrown = null;
    expect(inner.get('todos', 't1')).toBeUndefined();
    await client.close();
  });
});
