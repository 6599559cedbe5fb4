/**
 * A custom remote (docs/api.md, Remote) whose `sync()` throws something of its own, or
 * answers what is not a SyncResponse: the sync fails with a RemoteError (`invalid_response`,
 * retried with backoff; the remote's exception as `cause`), and nothing of the answer is
 * stored. Until round 56 a cursor that was not an integer from 0 was stored, and the store
 * then refused to open; a missing `messages` was a TypeError, and the remote's own exception
 * (or its answer's throwing getter) reached the app raw, with the code `internal`.
 */
import { describe, expect, it } from 'vitest';
import { RemoteError, createSyncClient, type Remote } from '../index.ts';
import type { SyncResponse } from '../protocol.ts';
import { createInProcessServer } from '../testing/index.ts';
import { T0, memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

const answer = (over: Record<string, unknown>): SyncResponse =>
  ({ accepted: 0, cursor: 0, more: false, serverTime: new Date(T0).toISOString(), messages: [], ...over }) as never;

/** A sync with `remote` on a new store: its error, and the cursor the store opens with again. */
async function syncWith(sync: Remote['sync']): Promise<{ err: unknown; cursorAfter: number; status: unknown }> {
  const store = memory();
  const client = await createSyncClient({ schema, store, remote: { sync }, autoSync: false, now: () => T0 });
  const err = await caught(() => client.sync());
  const status = client.status;
  await client.close();
  const again = await createSyncClient({ schema, store, autoSync: false, now: () => T0 });
  const cursorAfter = again.status.cursor;
  await again.close();
  return { err, cursorAfter, status };
}

const invalid = (message: string | RegExp) => ({
  name: 'RemoteError',
  code: 'invalid_response',
  transient: true,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});

describe("a custom remote's answer that is not a SyncResponse", () => {
  for (const [name, cursor] of [['a string', 'abc'], ['NaN', Number.NaN], ['-1', -1], ['1.5', 1.5], ['Infinity', Infinity], ['missing', undefined]] as const) {
    it(`a cursor that is ${name}: refused, and the store keeps its cursor (and opens again)`, async () => {
      const r = await syncWith(() => Promise.resolve(answer({ cursor })));
      expect(r.err).toMatchObject(invalid('invalid sync response: cursor'));
      expect(r.cursorAfter).toBe(0);
      expect(r.status).toMatchObject({ state: 'error', cursor: 0, error: { code: 'invalid_response' } });
    });
  }

  it('a cursor that is good, on a page of next that is not', async () => {
    const r = await syncWith(() => Promise.resolve(answer({ cursor: 2, more: true, next: [{ cursor: '3', more: false, messages: [] }] })));
    expect(r.err).toMatchObject(invalid('invalid sync response: next[0]: cursor'));
    expect(r.cursorAfter).toBe(0);
  });

  it('no messages, a more that is not a boolean, a message that is not one', async () => {
    expect((await syncWith(() => Promise.resolve(answer({ messages: undefined })))).err).toMatchObject(invalid('invalid sync response: messages'));
    expect((await syncWith(() => Promise.resolve(answer({ more: 'yes' })))).err).toMatchObject(invalid('invalid sync response: more'));
    const bad = await syncWith(() => Promise.resolve(answer({ cursor: 1, messages: [{ hlc: 5, table: 'todos', row: 'a', column: 'title', value: 'x' }] })));
    expect(bad.err).toMatchObject(invalid('invalid sync response: message 0: hlc is not a valid HLC timestamp'));
    expect(bad.cursorAfter).toBe(0);
  });

  it("an answer whose getter throws: the getter's error as cause", async () => {
    const thrown = new Error('lazy field failed');
    const r = await syncWith(() => Promise.resolve(Object.defineProperty(answer({}), 'cursor', { get: () => { throw thrown; }, enumerable: true })));
    expect(r.err).toMatchObject({ ...invalid('invalid sync response: reading it threw: lazy field failed'), cause: thrown });
  });
});

describe("a custom remote's own exception", () => {
  it('rejected or thrown at once: a RemoteError with it as cause, transient (retried)', async () => {
    const thrown = new TypeError('socket hung up');
    for (const sync of [() => Promise.reject(thrown), (): never => { throw thrown; }]) {
      const r = await syncWith(sync as Remote['sync']);
      expect(r.err).toMatchObject({ ...invalid("the remote's sync() threw: socket hung up"), cause: thrown });
      expect(r.status).toMatchObject({ state: 'error', error: { code: 'invalid_response' } });
    }
  });

  it('its typed errors pass as they are', async () => {
    const typed = new RemoteError(503, 'unavailable', 'down for maintenance');
    expect((await syncWith(() => Promise.reject(typed))).err).toBe(typed);
  });
});

describe('answers the checks made', () => {
  it("parseSyncResponse's and the in-process server's converge as before", async () => {
    const server = createInProcessServer({ now: () => T0 });
    const a = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false, now: () => T0 });
    const bStore = memory();
    const b = await createSyncClient({ schema, store: bStore, remote: server.remote('u'), autoSync: false, now: () => T0 });
    await a.update('todos', 't1', { title: 'x', done: false });
    await a.sync();
    await b.sync();
    expect(bStore.get('todos', 't1')).toEqual({ title: 'x', done: false });
    await a.close();
    await b.close();
  });
});
