/**
 * A custom remote's `subscribe` (docs/api.md, Remote) that is not a function, that throws, or
 * whose unsubscribe throws. Until round 56: a TypeError from createSyncClient ("remote.subscribe
 * is not a function"), its raw exception, and an unsubscribe's exception out of close(), cut
 * short (its run not aborted, its waiters not settled). Now a ValidationError, a RemoteError
 * with it as `cause`, and close() that completes, the unsubscribe's exception reported as an
 * uncaught one is (reportError), typed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteError, ValidationError, createSyncClient, type Remote } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

const sync = createInProcessServer().remote('u').sync;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a custom remote's subscribe", () => {
  it('that is not a function: a ValidationError naming it', async () => {
    const err = await caught(() => createSyncClient({ schema, store: memory(), remote: { sync, subscribe: 5 } as never }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ message: 'createSyncClient: remote.subscribe must be a function' });
  });

  it('that throws: createSyncClient rejects with a RemoteError, it as cause', async () => {
    const thrown = new Error('no pokes today');
    const remote: Remote = { sync, subscribe: () => { throw thrown; } };
    const err = await caught(() => createSyncClient({ schema, store: memory(), remote }));
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid_response', message: "the remote's subscribe() threw: no pokes today", cause: thrown });
  });

  it('whose unsubscribe throws: close() and setOnline(false) complete, and it is reported, typed', async () => {
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (err: unknown) => reported.push(err));
    const thrown = new Error('already gone');
    let subscribed = 0;
    const remote: Remote = { sync, subscribe: () => (subscribed++, () => { throw thrown; }) };
    const client = await createSyncClient({ schema, store: memory(), remote, intervalMs: 0 });
    expect(() => client.setOnline(false)).not.toThrow();
    client.setOnline(true);
    await client.sync();
    await expect(client.close()).resolves.toBeUndefined();
    await expect(client.sync()).rejects.toMatchObject({ code: 'closed' });
    expect(subscribed).toBe(2);
    expect(reported).toHaveLength(2);
    for (const r of reported) expect(r).toMatchObject({ name: 'RemoteError', message: "the remote's unsubscribe threw: already gone", cause: thrown });
  });
});
