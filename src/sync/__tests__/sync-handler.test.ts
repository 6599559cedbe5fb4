import { describe, expect, it } from 'vitest';
import { formatHlc } from '../hlc.ts';
import { ValidationError } from '../errors.ts';
import { ProtocolError } from '../protocol.ts';
import { answerBody, checkClockDrift, createMemoryServerStore, createSyncHandler, parseSyncRequest } from '../server/index.ts';

const T = Date.UTC(2026, 10, 24, 15, 0, 0);
const msg = (n: number, clientId = 'A') => ({ hlc: formatHlc({ millis: T + n, counter: 0, clientId }), table: 't', row: `r${n}`, column: 'c', value: n });

describe('the sync handler', () => {
  it('pushes, then pulls, and tells the server whom to poke', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    await handle('u', { clientId: 'B', cursor: 0, messages: [msg(1, 'B')] });
    const out = await handle('u', { clientId: 'A', cursor: 0, limit: 10, messages: [msg(2), msg(3)] });
    expect(out).toMatchObject({ clientId: 'A', pushed: 2, stored: 2, maxId: 3 });
    expect(out.response).toMatchObject({ accepted: 2, cursor: 3, more: false, serverTime: new Date(T + 10).toISOString() });
    expect(out.response.messages.map((m) => m.id)).toEqual([1]);
  });

  it('with own: true, answers the caller\'s own messages too, but for those of this request\'s push', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    await handle('u', { clientId: 'A', cursor: 0, messages: [msg(1)] }); // id 1: A's, pushed before
    await handle('u', { clientId: 'B', cursor: 0, messages: [msg(2, 'B')] }); // id 2
    const ids = async (body: object): Promise<number[]> => (await handle('u', body)).response.messages.map((m) => m.id);
    // Without it, as before: B's only. With it, A's own from before, never what it pushes now
    // (id 3 here; id 4 re-pushed as 3 again is the same message, not stored twice).
    expect(await ids({ clientId: 'A', cursor: 0 })).toEqual([2]);
    expect(await ids({ clientId: 'A', cursor: 0, own: true, messages: [msg(3)] })).toEqual([1, 2]);
    expect(await ids({ clientId: 'A', cursor: 0, own: true, messages: [msg(3)] })).toEqual([1, 2]);
    expect(await ids({ clientId: 'A', cursor: 0, own: true })).toEqual([1, 2, 3]);
    expect(await ids({ clientId: 'A', cursor: 0, own: false })).toEqual([2]);
    // Follow-on pages too: pages of one message, in the columns format.
    const paged = await handle('u', { clientId: 'A', cursor: 0, limit: 1, pages: 5, format: 'columns', own: true, messages: [msg(1)] });
    expect([paged.response.messages, ...(paged.response.next ?? []).map((p) => p.messages)].map((list) => list.map((m) => m.id))).toEqual([[], [2], [3]]);
  });

  it('with own: true, sends back a message held under a pushed hlc with another cell or value: no copy of the push', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    const lost = { ...msg(1), value: { a: 1, b: [1, 2] } };
    await handle('u', { clientId: 'A', cursor: 0, messages: [lost] }); // id 1
    const ids = async (pushed: object): Promise<number[]> => (await handle('u', { clientId: 'A', cursor: 0, own: true, messages: [pushed] })).response.messages.map((m) => m.id);
    // A copy (its object's keys in another order) is left out; the same hlc for another cell,
    // or another value, is not a copy: the held message goes back (a restored client re-stamps).
    expect(await ids({ ...lost, value: { b: [1, 2], a: 1 } })).toEqual([]);
    expect(await ids({ ...lost, row: 'other' })).toEqual([1]);
    expect(await ids({ ...lost, column: 'd' })).toEqual([1]);
    expect(await ids({ ...lost, value: { a: 1, b: [2, 1] } })).toEqual([1]);
    expect(await ids({ ...lost, value: { a: 1 } })).toEqual([1]);
    expect(await ids({ ...lost, value: null })).toEqual([1]);
    expect(await ids({ ...lost, table: 'u' })).toEqual([1]);
    expect(await ids({ ...lost, value: { a: 1, b: { 0: 1, 1: 2 } } })).toEqual([1]); // an object is no array
    expect(await ids({ ...lost, value: { a: 1, b: [1, 2], c: null } })).toEqual([1]);
  });

  it.each([[5, 6], ['a', 'b'], [true, false], [0, '0'], [null, 0], [5, {}], [{}, 5], [null, {}], [[], {}]])('with own: true, a held %j is no copy of a pushed %j under its hlc', async (held, pushed) => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    await handle('u', { clientId: 'A', cursor: 0, messages: [{ ...msg(1), value: held }] });
    const again = async (value: unknown): Promise<number[]> => (await handle('u', { clientId: 'A', cursor: 0, own: true, messages: [{ ...msg(1), value }] })).response.messages.map((m) => m.id);
    expect(await again(pushed)).toEqual([1]);
    expect(await again(held)).toEqual([]);
  });

  it('ends the follow-on pages at one from another epoch (the log was replaced meanwhile)', async () => {
    const inner = createMemoryServerStore();
    let pulls = 0;
    const store = { ...inner, pull: async (user: string, o: Parameters<typeof inner.pull>[1]) => {
      const page = await inner.pull(user, o);
      return ++pulls >= 3 ? { ...page, epoch: 'replaced' } : page;
    } };
    const handle = createSyncHandler({ store, now: () => T + 10 });
    await handle('u', { clientId: 'B', cursor: 0, messages: [msg(1, 'B'), msg(2, 'B'), msg(3, 'B'), msg(4, 'B')] });
    pulls = 0;
    const out = await handle('u', { clientId: 'A', cursor: 0, limit: 1, pages: 5, format: 'columns' });
    // The first page and one follow-on page; the third page read is another epoch's.
    expect([out.response.messages, ...(out.response.next ?? []).map((p) => p.messages)].map((list) => list.map((m) => m.id))).toEqual([[1], [2]]);
    expect(out.response.next?.at(-1)?.more).toBe(true);
  });

  it.each([['yes'], [1], [null]])('refuses an own of %s', async (own) => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    await expect(handle('u', { clientId: 'A', cursor: 0, own })).rejects.toMatchObject({ code: 'invalid_request', message: 'own must be a boolean or absent' });
  });

  it('takes a request already validated too (parsed off the event loop, say)', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    const out = await handle.validated('u', parseSyncRequest({ clientId: 'A', cursor: 0, messages: [msg(1)] }));
    expect(out).toMatchObject({ clientId: 'A', pushed: 1, stored: 1, maxId: 1 });
  });

  it('leaves the drift check to whoever says it made it, and answers with the time it was made at', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T, maxDriftMs: 1000 });
    const request = parseSyncRequest({ clientId: 'A', cursor: 0, messages: [msg(5000)] }); // 5 s ahead of `now`
    await expect(handle.validated('u', request)).rejects.toMatchObject({ code: 'clock_drift', serverTime: new Date(T).toISOString() });
    const out = await handle.validated('u', request, { driftCheckedAt: T + 4500 });
    expect(out).toMatchObject({ stored: 1, response: { serverTime: new Date(T + 4500).toISOString() } });
    expect(() => checkClockDrift(request.messages, T + 4500, 1000)).not.toThrow();
    expect(() => checkClockDrift(request.messages, T, 1000)).toThrow(new ProtocolError('clock_drift', "message 0: its hlc is 5 s ahead of the server's clock (limit 1 s)", 0, new Date(T).toISOString()));
  });

  it('does not let a client inflate the poke cursor with its own cursor', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    const out = await handle('u', { clientId: 'A', cursor: 1_000_000_000, messages: [msg(1)] });
    expect(out.maxId).toBe(1);
    expect(out.response.cursor).toBe(1_000_000_000);
  });

  it('refuses clock drift with the server clock and the index, storing nothing', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T, maxDriftMs: 1000 });
    const err = (await handle('u', { clientId: 'A', cursor: 0, messages: [msg(1), msg(5000)] }).catch((e: unknown) => e)) as ProtocolError;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.toBody()).toEqual({
      error: { code: 'clock_drift', message: 'message 1: its hlc is 5 s ahead of the server\'s clock (limit 1 s)', index: 1, serverTime: new Date(T).toISOString() },
    });
    expect(store.dump('u')).toEqual([]);
  });

  it('acknowledges a stored push even when the pull after it fails', async () => {
    const store = createMemoryServerStore();
    const errors: unknown[] = [];
    const failing = { ...store, pull: () => { throw new Error('disk gone'); } };
    const handle = createSyncHandler({ store: failing, now: () => T + 10, onPullError: (e) => errors.push(e) });
    const out = await handle('u', { clientId: 'A', cursor: 4, messages: [msg(1)] });
    expect(out.response).toMatchObject({ accepted: 1, cursor: 4, more: true, messages: [] });
    expect(store.dump('u')).toHaveLength(1);
    expect(errors).toEqual([new Error('disk gone')]);
    await expect(handle('u', { clientId: 'A', cursor: 4 })).rejects.toThrow('disk gone');
  });

  it('answers with the user\'s epoch, and none when a stored push could not be read back', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    expect((await handle('u', { clientId: 'A', cursor: 0 })).response.epoch).toBe('');
    const first = await handle('u', { clientId: 'A', cursor: 0, messages: [msg(1)] });
    expect(first.response.epoch).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await handle('u', { clientId: 'B', cursor: 1, epoch: first.response.epoch })).response.epoch).toBe(first.response.epoch);
    const failing = createSyncHandler({ store: { ...store, pull: () => { throw new Error('disk gone'); } }, now: () => T + 10 });
    expect((await failing('u', { clientId: 'A', cursor: 1, messages: [msg(2)] })).response).not.toHaveProperty('epoch');
  });
});

describe('what the handler is given', () => {
  it('refuses options it cannot work with, NaN drift above all (it turned the drift check off)', () => {
    const store = createMemoryServerStore();
    const bad: [unknown, string][] = [
      [{ store, maxDriftMs: Number.NaN }, 'maxDriftMs must be a number of ms, 0 or more'],
      [{ store, maxDriftMs: -1 }, 'maxDriftMs must be a number of ms, 0 or more'],
      [{ store, maxDriftMs: '300000' }, 'maxDriftMs must be a number of ms, 0 or more'],
      [{ store, now: Date.now() }, 'now must be a function'],
      [{ store, onPullError: 'log' }, 'onPullError must be a function'],
      [{ store: {} }, 'store must be a server store (push and pull)'],
      [{}, 'store must be a server store (push and pull)'],
      [null, 'options must be an object'],
    ];
    for (const [options, why] of bad) {
      expect(() => createSyncHandler(options as never), why).toThrow(new ValidationError('invalid_argument', `createSyncHandler: ${why}`));
    }
    expect(() => createSyncHandler({ store, maxDriftMs: 0 })).not.toThrow();
  });

  it('refuses an unknown or misspelt option of createSyncHandler, naming the one meant', () => {
    const store = createMemoryServerStore();
    expect(() => createSyncHandler({ store, maxDrift: 1000 } as never)).toThrow(new ValidationError('invalid_argument', 'createSyncHandler: unknown option maxDrift: did you mean maxDriftMs?'));
    expect(() => createSyncHandler({ store, x: 1 } as never)).toThrow(new ValidationError('invalid_argument', 'createSyncHandler: unknown option x: the options are store, maxDriftMs, now, onPullError'));
  });

  // validated('u', req, { driftCheckedAt: 'x' }) threw "RangeError: Invalid time value" after
  // the push was stored; { drift: 1 } was taken silently; a null request was a TypeError.
  it.each<[string, unknown, unknown, string]>([
    ['a driftCheckedAt that is not a time', 'req', { driftCheckedAt: 'x' }, 'driftCheckedAt must be a server time in ms'],
    ['a NaN driftCheckedAt', 'req', { driftCheckedAt: Number.NaN }, 'driftCheckedAt must be a server time in ms'],
    ['a driftCheckedAt past the last date', 'req', { driftCheckedAt: 8.64e15 + 1 }, 'driftCheckedAt must be a server time in ms'],
    ['an unknown option', 'req', { drift: 1 }, 'unknown option drift: did you mean driftCheckedAt?'],
    ['null options', 'req', null, 'options must be an object'],
    ['array options', 'req', [T], 'options must be an object'],
    ['a null request', null, undefined, 'request must be what parseSyncRequest returns'],
    ['a raw body for the request', { clientId: 'A', cursor: 0, messages: [] }, undefined, 'request must be what parseSyncRequest returns'],
    ['a string for the request', 'A', undefined, 'request must be what parseSyncRequest returns'],
  ])('validated refuses %s with a ValidationError, storing nothing', async (_what, request, options, why) => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    const parsed = request === 'req' ? parseSyncRequest({ clientId: 'A', cursor: 0, messages: [msg(1)] }) : request;
    const err: unknown = await handle.validated('u', parsed as never, options as never).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: `validated(userId, request, options): ${why}` });
    expect((await store.pull('u', { cursor: 0, limit: 10, excludeClientId: 'B' })).messages).toHaveLength(0);
  });

  it('validated takes options absent, empty, or with driftCheckedAt left undefined (as a worker passes it)', async () => {
    const handle = createSyncHandler({ store: createMemoryServerStore(), now: () => T + 10 });
    for (const options of [undefined, {}, { driftCheckedAt: undefined }]) {
      const out = await handle.validated('u', parseSyncRequest({ clientId: 'A', cursor: 0 }), options);
      expect(out.response.serverTime).toBe(new Date(T + 10).toISOString());
    }
  });

  it('keeps the drift check with a deliberate Infinity off, and with a finite one on', async () => {
    const far = { clientId: 'A', cursor: 0, messages: [{ ...msg(0), hlc: formatHlc({ millis: Date.UTC(9999, 0, 1), counter: 0, clientId: 'A' }) }] };
    await expect(createSyncHandler({ store: createMemoryServerStore(), now: () => T })('u', far)).rejects.toMatchObject({ code: 'clock_drift' });
    expect((await createSyncHandler({ store: createMemoryServerStore(), now: () => T, maxDriftMs: Infinity })('u', far)).stored).toBe(1);
  });

  it('needs a userId: without one, every user\'s data would be one', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    for (const userId of [undefined, '', 42]) {
      await expect(handle(userId as never, { clientId: 'A', cursor: 0, messages: [msg(1)] })).rejects.toThrow(new ValidationError('invalid_argument', 'the sync handler needs the userId, a non-empty string'));
    }
    expect((await handle('u', { clientId: 'A', cursor: 0 })).response.messages).toEqual([]);
  });

  it('refuses a push with two messages of one hlc (the second would be acknowledged, never stored)', async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    const twin = { ...msg(2), row: 'other' };
    for (const messages of [[msg(1), msg(2), twin], [msg(2), msg(1), twin], [msg(2), twin]]) {
      await expect(handle('u', { clientId: 'A', cursor: 0, messages })).rejects.toMatchObject({ code: 'invalid_message', index: messages.length - 1 });
    }
    expect(() => parseSyncRequest({ clientId: 'A', cursor: 0, messages: [msg(2), { ...msg(2) }] })).toThrow(
      new ProtocolError('invalid_message', "message 1: its hlc is another message's of this request (an hlc names one message)", 1),
    );
    // Out of order but each hlc once: taken.
    expect((await handle('u', { clientId: 'A', cursor: 0, messages: [msg(3), msg(1), msg(2)] })).stored).toBe(3);
  });

  it('parses lines as the framing of columns pages only: without the format, a server that reads the request answers one JSON text', () => {
    expect(parseSyncRequest({ clientId: 'A', cursor: 0, format: 'columns', framing: 'lines' }).framing).toBe('lines');
    expect(parseSyncRequest({ clientId: 'A', cursor: 0, framing: 'lines' })).not.toHaveProperty('framing');
    expect(parseSyncRequest({ clientId: 'A', cursor: 0, format: 'columns' })).not.toHaveProperty('framing');
  });

  // Helpers for a server of one's own: given something else, they threw "Cannot read properties of null".
  it('checkClockDrift and answerBody refuse what is not theirs with a ValidationError', () => {
    for (const [messages, now, max] of [[null, 0, 1], [{}, 0, 1], [[], Number.NaN, 1], [[], 0, 'a lot']] as const) {
      expect(() => checkClockDrift(messages as never, now as number, max as never)).toThrow(new ValidationError('invalid_argument', "checkClockDrift(messages, serverNow, maxDriftMs) takes the request's messages and two numbers of ms"));
    }
    expect(() => checkClockDrift([], 0, Number.POSITIVE_INFINITY)).not.toThrow();
    for (const response of [null, undefined, 'ok']) {
      expect(() => answerBody(response as never)).toThrow(new ValidationError('invalid_argument', 'answerBody takes the response the handler answered with'));
    }
  });
});

describe('a cursor beyond the user\'s greatest id (a database restored from a backup)', () => {
  const setUp = async () => {
    const store = createMemoryServerStore();
    const handle = createSyncHandler({ store, now: () => T + 10 });
    const { response } = await handle('u', { clientId: 'A', cursor: 0, messages: [msg(1), msg(2)] });
    return { store, handle, epoch: response.epoch as string };
  };

  it('gives the user\'s log a new epoch, whether the request pulls or pushes', async () => {
    const { handle, epoch } = await setUp();
    const pull = await handle('u', { clientId: 'B', cursor: 3, epoch });
    expect(pull.response.epoch).not.toBe(epoch);
    const second = pull.response.epoch as string;
    // The request's own push does not hide it: the cursor is compared with the log before the push.
    const push = await handle('u', { clientId: 'C', cursor: 3, epoch: second, messages: [msg(3, 'C'), msg(4, 'C')] });
    expect(push.response.epoch).not.toBe(second);
    expect(push.maxId).toBe(4);
  });

  it('renews for a client that says it holds no epoch ("") as for one that sends none', async () => {
    const { handle, epoch } = await setUp();
    const renewed = (await handle('u', { clientId: 'B', cursor: 9, epoch: '' })).response.epoch;
    expect(renewed).not.toBe(epoch);
    expect(renewed).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('renews once: a client that still holds an older epoch is starting over anyway', async () => {
    const { store, handle, epoch } = await setUp();
    const renewed = (await handle('u', { clientId: 'B', cursor: 9 })).response.epoch;
    expect(renewed).not.toBe(epoch);
    expect((await handle('u', { clientId: 'C', cursor: 9, epoch })).response.epoch).toBe(renewed);
    expect((await store.pull('u', { cursor: 0, limit: 1, excludeClientId: 'x' })).epoch).toBe(renewed);
  });

  it('a cursor at the log\'s end, or a user without a log, renews nothing', async () => {
    const { store, epoch } = await setUp();
    let renewals = 0;
    const handle = createSyncHandler({ store: { ...store, renewEpoch: (u, e) => (renewals++, store.renewEpoch(u, e)) }, now: () => T + 10 });
    expect((await handle('u', { clientId: 'B', cursor: 2, epoch })).response.epoch).toBe(epoch);
    expect((await handle('u', { clientId: 'B', cursor: 2, epoch, messages: [msg(5, 'B')] })).response.epoch).toBe(epoch);
    expect((await handle('nobody', { clientId: 'B', cursor: 7 })).response.epoch).toBe('');
    expect(renewals).toBe(0);
  });
});
