/**
 * A custom store whose `messages(query)` answers with messages the query does not ask for
 * (store-guard.ts): a filter forgotten or wrong, each message well formed. Round 55: the
 * client took them as they came. A pending query that answered every message (a pulled one
 * too) made one sync() push them again and again, a request after a request, and never
 * settle; one that ignored its limit pushed more than `pushBatchSize`; `rejected()` and
 * `history()` showed the app messages that were no such thing. Each is now a StoreError that
 * names the query, and nothing is pushed.
 */
import { describe, expect, it } from 'vitest';
import { StoreError, createSyncClient, defineSchema, type MessageQuery, type StoredMessage, type SyncStore } from '../index.ts';
import type { Remote } from '../remote.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { memory, schema } from './harness/test-kit.ts';

/** Every message `inner` holds, oldest first, whatever is asked. */
const everything = (inner: SyncStore): StoredMessage[] => [...(inner.messages({ kind: 'recent', limit: 10_000 }) as readonly StoredMessage[])].reverse();

/** `inner` with its answer to queries of `kind` replaced. */
const answering = (inner: SyncStore, kind: MessageQuery['kind'], answer: (q: MessageQuery) => readonly StoredMessage[]): SyncStore =>
  ({ ...inner, messages: (q) => (q.kind === kind ? answer(q) : inner.messages(q)) });

/** A remote over `server` that counts its requests, and fails once there are too many (the loop had no end). */
function counting(remote: Remote): Remote & { requests: number; pushed: number } {
  const counted = {
    requests: 0,
    pushed: 0,
    sync: (request: Parameters<Remote['sync']>[0], options?: Parameters<Remote['sync']>[1]) => {
      counted.pushed += request.messages?.length ?? 0;
      if (++counted.requests > 50) return Promise.reject(new Error('50 requests in one sync'));
      return remote.sync(request, options);
    },
  };
  return counted;
}

describe('messages() answering with messages the query does not ask for', () => {
  it('pending answering every message, a pulled one too: sync() fails with a StoreError and pushes nothing', async () => {
    const server = createInProcessServer();
    const other = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    await other.set('todos', 'o1', 'title', 'theirs');
    await other.sync();
    const inner = memory();
    const remote = counting(server.remote('u'));
    const client = await createSyncClient({ schema, store: answering(inner, 'pending', () => everything(inner)), remote, autoSync: false });
    const pulled = client.sync(); // nothing of its own yet: the pull brings o1
    await expect(pulled).resolves.toMatchObject({ state: 'idle' });
    await client.set('todos', 't1', 'title', 'mine');
    const err: unknown = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/^the store broke its contract in messages\(pending\): it returned message \S+, which the query does not ask for$/);
    expect(remote.pushed).toBe(0);
    expect(remote.requests).toBeLessThan(5);
    await client.close();
    await other.close();
  });

  it('pending answering more messages than its limit: sync() fails with a StoreError, pushing nothing', async () => {
    const inner = memory();
    const remote = counting(createInProcessServer().remote('u'));
    const store = answering(inner, 'pending', () => everything(inner).filter((m) => m.local && !m.synced));
    const client = await createSyncClient({ schema, store, remote, autoSync: false, pushBatchSize: 1 });
    await client.set('todos', 't1', 'title', 'one');
    await client.set('todos', 't2', 'title', 'two');
    await expect(client.sync()).rejects.toThrow(new StoreError('the store broke its contract in messages(pending): it returned 2 messages for a limit of 1'));
    expect(remote.pushed).toBe(0);
    await client.close();
  });

  it.each([
    ['rejected', 'answering a synced message', (client: Awaited<ReturnType<typeof createSyncClient>>) => client.rejected()],
    ['cell', "answering another cell's message", (client: Awaited<ReturnType<typeof createSyncClient>>) => client.history('todos', 't2', 'title')],
  ] as const)('%s %s: the call fails with a StoreError', async (kind, _name, call) => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: answering(inner, kind, () => everything(inner)), autoSync: false });
    await client.set('todos', 't1', 'title', 'mine');
    const err: unknown = await call(client).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(new RegExp(`^the store broke its contract in messages\\(${kind}\\): it returned message \\S+, which the query does not ask for$`));
    await client.close();
  });

  it('unapplied answering a local message: opening with a new schema version (which asks for them) fails with a StoreError', async () => {
    const inner = memory();
    const first = await createSyncClient({ schema, store: inner, autoSync: false });
    await first.set('todos', 't1', 'title', 'mine');
    await first.close();
    const next = defineSchema({ version: 2, tables: { todos: { title: 'string' } } });
    const err: unknown = await createSyncClient({ schema: next, store: answering(inner, 'unapplied', () => everything(inner)), autoSync: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/^the store broke its contract in messages\(unapplied\): it returned message \S+, which the query does not ask for$/);
  });

  it('a store that answers each query as asked passes', async () => {
    const inner = memory();
    const client = await createSyncClient({ schema, store: { ...inner }, remote: createInProcessServer().remote('u'), autoSync: false, pushBatchSize: 1 });
    await client.set('todos', 't1', 'title', 'one');
    await client.set('todos', 't2', 'title', 'two');
    await expect(client.sync()).resolves.toMatchObject({ state: 'idle', pending: 0 });
    expect(await client.rejected()).toEqual([]);
    expect((await client.history('todos', 't1', 'title')).map((m) => m.value)).toEqual(['one']);
    expect(await client.recent(1)).toHaveLength(1);
    await client.close();
  });
});
