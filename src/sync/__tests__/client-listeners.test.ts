/**
 * A listener that throws (audit C, findings 4 and 5). Listeners are the app's code, called
 * from the middle of the client's own work. A throwing 'status' listener left sync() pending
 * forever and its rejection ended the Node process, background syncs included; a throwing
 * 'change' listener made a committed write reject, skipped the listeners after it, left the
 * write unsynced, and on a pull failed the sync and lost that page's 'replaced' event. Now each
 * listener is called on its own, and its exception is reported as an uncaught one
 * (listeners.ts): here `reportError` is stubbed to catch the reports.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, type ReplacedEvent } from '../index.ts';
import { emit, reportUncaught } from '../listeners.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, memory, schema, until } from './harness/test-kit.ts';

let reported: unknown[] = [];
beforeEach(() => {
  reported = [];
  vi.stubGlobal('reportError', (err: unknown) => reported.push(err));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const pushed = (remote: ScriptedRemote) => remote.requests.flatMap((r) => r.messages ?? []);
const bug = (what: string) => () => {
  throw new Error(what);
};

describe("a 'status' listener that throws", () => {
  it('sync() still settles, with the state it ended in; the error is reported, not an unhandled rejection', async () => {
    const client = await createSyncClient({ schema, store: memory(), remote: new ScriptedRemote(), autoSync: false });
    client.on('status', (s) => {
      if (s.state === 'idle' && s.lastSyncAt !== null) throw new Error('status listener bug');
    });
    await client.set('todos', 't1', 'title', 'A');
    await expect(client.sync()).resolves.toMatchObject({ state: 'idle', pending: 0 });
    expect(reported).toEqual([new Error('status listener bug')]);
    await client.close();
  });

  it('a background sync ends as usual, and the next write is synced too', async () => {
    const remote = new ScriptedRemote();
    const client = await createSyncClient({ schema, store: memory(), remote, debounceMs: 0, intervalMs: 0 });
    client.on('status', bug('status listener bug'));
    await client.set('todos', 't1', 'title', 'A');
    await until(() => client.status.pending === 0 && client.status.state === 'idle');
    await client.set('todos', 't2', 'title', 'B');
    await until(() => client.status.pending === 0 && client.status.state === 'idle');
    expect(pushed(remote).map((m) => m.row)).toEqual(['t1', 't2']);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((e) => (e as Error).message === 'status listener bug')).toBe(true);
    await client.close();
  });
});

describe("a 'change' listener that throws", () => {
  it('on a local write: the write resolves, later listeners hear it, and it is synced', async () => {
    const remote = new ScriptedRemote();
    const client = await createSyncClient({ schema, store: memory(), remote, debounceMs: 0, intervalMs: 0 });
    await until(() => client.status.lastSyncAt !== null); // the first sync, on start
    let later = 0;
    client.on('change', bug('change listener bug'));
    client.on('change', () => later++);
    await expect(client.set('todos', 't1', 'title', 'mine')).resolves.toMatchObject({ row: 't1', value: 'mine' });
    expect(later).toBe(1);
    await until(() => client.status.pending === 0);
    expect(pushed(remote).map((m) => m.value)).toEqual(['mine']);
    expect(reported).toEqual([new Error('change listener bug')]);
    await client.close();
  });

  it("on a pull: the sync succeeds and the page's 'replaced' event is delivered", async () => {
    const server = createInProcessServer();
    const c = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    const d = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    await c.set('todos', 't1', 'title', 'mine');
    await c.sync();
    await d.sync();
    await d.set('todos', 't1', 'title', 'theirs');
    await d.sync();
    const replaced: ReplacedEvent[] = [];
    c.on('change', bug('change listener bug on pull'));
    c.on('replaced', (e) => replaced.push(e));
    await expect(c.sync()).resolves.toMatchObject({ state: 'idle' });
    expect(replaced.flatMap((e) => e.cells.map((cell) => [cell.previous.value, cell.next.value]))).toEqual([['mine', 'theirs']]);
    expect(reported).toEqual([new Error('change listener bug on pull')]);
    await c.close();
    await d.close();
  });
});

// Round 55: a listener that subscribes while an event is delivered. The set of listeners was
// iterated live, so a listener added then heard the event being delivered; one that unsubscribed
// itself and subscribed again (a component that re-renders and re-subscribes as it handles a
// change) was added behind the iteration again and again: the write never returned.
describe('a listener that subscribes or unsubscribes while an event is delivered', () => {
  it('one that subscribes itself again hears the event once, and the write returns', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    let heard = 0;
    let off = (): void => {};
    const listener = (): void => {
      // Bounded: the live iteration never ended.
      if (++heard > 100) throw new Error('heard the same event over and over');
      off();
      off = client.on('change', listener);
    };
    off = client.on('change', listener);
    await client.set('todos', 't1', 'title', 'A');
    expect(heard).toBe(1);
    expect(reported).toEqual([]);
    await client.set('todos', 't1', 'title', 'B'); // still subscribed: hears the next one
    expect(heard).toBe(2);
    await client.close();
  });

  it('one added while an event is delivered hears the next one; one removed then hears none (as EventTarget)', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    const heard: string[] = [];
    let offSecond = (): void => {};
    client.on('change', (e) => {
      heard.push(`first ${e.changes.todos?.join()}`);
      offSecond();
      client.on('change', (late) => heard.push(`added ${late.changes.todos?.join()}`));
    });
    offSecond = client.on('change', (e) => heard.push(`second ${e.changes.todos?.join()}`));
    await client.set('todos', 't1', 'title', 'A');
    expect(heard).toEqual(['first t1']);
    heard.length = 0;
    await client.set('todos', 't2', 'title', 'B');
    expect(heard).toEqual(['first t2', 'added t2']);
    await client.close();
  });
});

// Round 55: a listener that writes. With a synchronous store (the memory and SQLite stores) the
// write it makes ran at once, inside the write whose event it was hearing: the listeners after it
// heard the second write before the first, and a listener that wrote once, marking it done after
// the call, was called again inside that call, and again: some 900 writes, then a stack overflow.
describe('a listener that writes while it hears a local write', () => {
  it('its write comes after: every listener hears the first write first', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    const heard: string[] = [];
    client.on('change', (e) => {
      if (e.changes.todos?.[0] === 't1') void client.set('todos', 't2', 'title', 'B');
    });
    client.on('change', (e) => heard.push(e.changes.todos?.join() ?? ''));
    await client.set('todos', 't1', 'title', 'A');
    await until(() => heard.length === 2);
    expect(heard).toEqual(['t1', 't2']);
    await client.close();
  });

  it('one that writes once, and says so after the call, writes once', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    let written: Promise<unknown> | null = null;
    let calls = 0;
    client.on('change', () => {
      if (++calls > 10) return; // bounded: it recursed until the stack overflowed
      written ??= client.update('todos', 't2', { title: 'B' });
    });
    await client.set('todos', 't1', 'title', 'A');
    await written;
    expect(client.status.pending).toBe(2);
    expect(calls).toBe(2);
    await client.close();
  });
});

describe('reporting', () => {
  it('each listener on its own: every one hears the event, every exception is reported once', () => {
    const heard: string[] = [];
    const listeners = new Set([bug('first'), (v: string) => heard.push(v), bug('third'), (v: string) => heard.push(`${v}!`)]);
    emit(listeners, 'event');
    expect(heard).toEqual(['event', 'event!']);
    expect(reported).toEqual([new Error('first'), new Error('third')]);
  });

  it("the scheduler's own bookkeeping that throws (a random() gone wrong, as the retry is planned): reported, and sync() still settles", async () => {
    const remote = new ScriptedRemote();
    let r = 0.5;
    const client = await createSyncClient({ schema, store: memory(), remote, random: () => r, intervalMs: 0, debounceMs: 0 });
    await until(() => client.status.lastSyncAt !== null);
    remote.intercept = () => {
      throw new Error('down');
    };
    r = Number.NaN; // read by the backoff of the failure to come
    await expect(client.sync()).rejects.toThrow('down');
    await until(() => reported.length > 0);
    expect(reported).toEqual([expect.objectContaining({ code: 'invalid_argument', message: 'createSyncClient: random() gave NaN, not a number from 0 to 1' })]);
    await client.close();
  });

  it('without reportError (Node), the exception is thrown again from a timer of its own', () => {
    vi.stubGlobal('reportError', undefined);
    vi.useFakeTimers();
    const err = new Error('listener bug');
    expect(() => emit(new Set([bug('listener bug')]), null)).not.toThrow();
    reportUncaught(err);
    expect(() => vi.runOnlyPendingTimers()).toThrow('listener bug');
    expect(reported).toEqual([]);
  });
});
