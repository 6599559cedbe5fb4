/**
 * A custom remote's answer checked field by field (remote-answer.ts, round 67 mutation
 * testing): each field at fault named, and a good answer with messages and follow-on pages
 * taken whole. custom-remote-answers.test.ts has the cursor, `more` and `messages`; no test
 * there gave a custom remote's answer with a message the client should apply.
 */
import { describe, expect, it } from 'vitest';
import { createSyncClient, type Remote } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import type { SyncResponse } from '../protocol.ts';
import { T0, memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

const answer = (over: Record<string, unknown>): SyncResponse =>
  ({ accepted: 0, cursor: 0, more: false, serverTime: new Date(T0).toISOString(), messages: [], ...over }) as never;
const hlc = (counter: number): string => formatHlc({ millis: T0 - 1000, counter, clientId: 'other' });
const title = (counter: number, row: string, value: string) => ({ hlc: hlc(counter), table: 'todos', row, column: 'title', value });

/** One sync with a remote that answers `a`: its error (or undefined), and the store. */
async function syncOnce(a: unknown): Promise<{ err: unknown; store: ReturnType<typeof memory>; cursor: number }> {
  const store = memory();
  const sync: Remote['sync'] = () => Promise.resolve(a as SyncResponse);
  const client = await createSyncClient({ schema, store, remote: { sync }, autoSync: false, now: () => T0 });
  const err = await caught(() => client.sync());
  const cursor = client.status.cursor;
  await client.close();
  return { err, store, cursor };
}

const refusedAs = async (a: unknown, why: string | RegExp): Promise<void> => {
  const r = await syncOnce(a);
  const message = typeof why === 'string' ? `invalid sync response: ${why}` : expect.stringMatching(new RegExp(`^invalid sync response: ${why.source}`));
  expect(r.err).toMatchObject({ name: 'RemoteError', code: 'invalid_response', message });
  expect(r.cursor).toBe(0);
};

describe("a custom remote's answer: the field at fault is named", () => {
  it('an answer that is no object', async () => {
    await refusedAs(5, 'not an object');
    await refusedAs('{"accepted":0}', 'not an object');
  });

  it('accepted, serverTime, epoch and next', async () => {
    await refusedAs(answer({ accepted: -1 }), 'accepted');
    await refusedAs(answer({ serverTime: T0 }), 'serverTime');
    await refusedAs(answer({ epoch: 'not an epoch!' }), 'epoch');
    // Not a string, though its text would pass the pattern.
    await refusedAs(answer({ epoch: 1234 }), 'epoch');
    await refusedAs(answer({ epoch: ['abc'] }), 'epoch');
    await refusedAs(answer({ more: true, next: {} }), 'next');
    await refusedAs(answer({ more: true, next: 'page' }), 'next');
  });

  it('a bad message after good ones is named by its place', async () => {
    await refusedAs(answer({ cursor: 3, messages: [title(0, 'a', 'x'), title(1, 'b', 'y'), { ...title(2, 'c', 'z'), table: 5 }] }), /message 2: /);
  });
});

describe("a custom remote's good answer", () => {
  it('with messages and follow-on pages: every message applied, the last page\'s cursor kept', async () => {
    const r = await syncOnce(answer({
      cursor: 2,
      more: true,
      messages: [title(0, 'a', 'first'), title(1, 'b', 'second')],
      next: [{ cursor: 3, more: true, messages: [title(2, 'c', 'third')] }, { cursor: 5, more: false, messages: [title(3, 'd', 'fourth'), title(4, 'a', 'again')] }],
    }));
    expect(r.err).toBeNull();
    expect(r.cursor).toBe(5);
    expect(['a', 'b', 'c', 'd'].map((row) => r.store.get('todos', row)?.title)).toEqual(['again', 'second', 'third', 'fourth']);
  });

  it('a bad message on a follow-on page after a good one is named by page and place', async () => {
    await refusedAs(answer({
      cursor: 1, more: true, messages: [title(0, 'a', 'x')],
      next: [{ cursor: 2, more: true, messages: [title(1, 'b', 'y')] }, { cursor: 3, more: false, messages: [title(2, 'c', 'z'), { ...title(3, 'd', 'w'), hlc: 'nope' }] }],
    }), /next\[1\]: message 1: /);
  });
});
