/**
 * The core on a host with fewer globals than Node's: QuickJS, the Hermes shell, an engine
 * embedded without WHATWG globals (docs/api.md, "What the core needs from its host"). Each
 * case removes what such a host lacks and checks that syncing still works
 * (an audit on QuickJS and Hermes found the core needing both, and TextDecoder unchecked).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream, type FieldsyncError, type Remote } from '../index.ts';
import { abortController } from '../abort.ts';
import { createInProcessServer } from '../testing/index.ts';
import { ScriptedRemote, memory, schema } from './harness/test-kit.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** A host with setTimeout/clearTimeout only: no AbortController, no setInterval. */
function timeoutsOnly(): void {
  vi.stubGlobal('AbortController', undefined);
  vi.stubGlobal('AbortSignal', undefined);
  vi.stubGlobal('setInterval', undefined);
  vi.stubGlobal('clearInterval', undefined);
}

describe('without AbortController or setInterval', () => {
  it('sync() syncs', async () => {
    timeoutsOnly();
    const server = createInProcessServer();
    const a = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    const b = await createSyncClient({ schema, store: memory(), remote: server.remote('u'), autoSync: false });
    await a.set('todos', 't1', 'title', 'hello');
    await a.sync();
    const status = await b.sync();
    expect(status.state).toBe('idle');
    expect(b.status.cursor).toBe(1);
    await a.close();
    await b.close();
  });

  it('autoSync syncs on start and on the interval, and close() stops the interval', async () => {
    vi.useFakeTimers(); // before the stubs: fake timers install a setInterval of their own
    timeoutsOnly();
    const remote = new ScriptedRemote(createInProcessServer());
    const client = await createSyncClient({ schema, store: memory(), remote, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(1);
    expect(remote.requests).toHaveLength(1); // on start
    await vi.advanceTimersByTimeAsync(35_000);
    expect(remote.requests).toHaveLength(4); // at 10, 20 and 30 s
    await client.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(remote.requests).toHaveLength(4);
  });

  it('the HTTP remote aborts its request on timeout, and the signal its fetch gets says so', async () => {
    timeoutsOnly();
    const signals: AbortSignal[] = [];
    const fetch = (_url: string, init?: RequestInit): Promise<Response> => new Promise((_resolve, reject) => {
      const signal = init?.signal as AbortSignal;
      signals.push(signal);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    const remote = createHttpRemote({ url: 'https://sync.example', token: 't', fetch, timeoutMs: 20 });
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false });
    await expect(client.sync()).rejects.toMatchObject({ code: 'network', message: 'the request was aborted or timed out' });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    await client.close();
  });

  it('close() during a sync aborts the HTTP request through the scheduler\'s signal', async () => {
    timeoutsOnly();
    let aborted = 0;
    const fetch = (_url: string, init?: RequestInit): Promise<Response> => new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => {
        aborted++;
        reject(init.signal?.reason);
      });
    });
    const remote = createHttpRemote({ url: 'https://sync.example', token: 't', fetch });
    const client = await createSyncClient({ schema, store: memory(), remote, autoSync: false });
    const syncing = client.sync();
    await new Promise((r) => setTimeout(r, 5));
    await client.close();
    await expect(syncing).rejects.toMatchObject({ code: 'closed' });
    expect(aborted).toBe(1);
  });

  it('the poke stream delivers pokes, and stopping it aborts its request', async () => {
    timeoutsOnly();
    let aborted = false;
    const fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
      let stream!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => { stream = c; } });
      stream.enqueue(new TextEncoder().encode('event: poke\ndata: {"cursor":7}\n\n'));
      init?.signal?.addEventListener('abort', () => {
        aborted = true;
        stream.error(init.signal?.reason);
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    const remote = createHttpRemote({ url: 'https://sync.example', token: 't', fetch, pokes: pokeStream() });
    const pokes: number[] = [];
    const errors: FieldsyncError[] = [];
    const stop = remote.subscribe?.('c1', { onPoke: (p) => pokes.push(p.cursor), onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(pokes).toEqual([7]));
    stop?.();
    expect(aborted).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('the AbortController stand-in, as the app\'s fetch sees its signal', () => {
  it('calls each abort listener once, with the event and the signal as this, and not after its removal', () => {
    timeoutsOnly();
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (err: unknown) => void reported.push(err));
    const controller = abortController();
    const { signal } = controller;
    const calls: string[] = [];
    const once = function (this: unknown, event: Event): void {
      calls.push(`once:${event.type}:${this === signal && event.target === signal}`);
    };
    const removed = (): void => void calls.push('removed');
    const other = (): void => void calls.push('other type');
    signal.addEventListener('abort', once);
    signal.addEventListener('abort', once); // added twice: called once, as EventTarget does
    signal.addEventListener('abort', removed);
    signal.addEventListener('abort', null as unknown as () => void); // the DOM allows null
    signal.addEventListener('progress' as 'abort', other);
    signal.removeEventListener('progress' as 'abort', once); // another type: removes nothing
    signal.removeEventListener('abort', removed);
    signal.addEventListener('abort', { handleEvent: (event: Event) => void calls.push(`object:${event.type}`) });
    signal.onabort = (event) => void calls.push(`onabort:${event.type}`);
    expect(signal.aborted).toBe(false);
    expect(() => signal.throwIfAborted()).not.toThrow();
    controller.abort();
    expect(calls.sort()).toEqual(['object:abort', 'onabort:abort', 'once:abort:true']);
    controller.abort(new Error('again')); // fires once, and keeps its first reason
    expect(calls).toHaveLength(3);
    expect(reported).toEqual([]); // the null listener was no listener
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'AbortError', message: 'This operation was aborted' });
    expect(() => signal.throwIfAborted()).toThrow(signal.reason as Error);
  });

  it('keeps the reason it is given, and reports a listener that throws while the others still run', () => {
    timeoutsOnly();
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (err: unknown) => void reported.push(err));
    const controller = abortController();
    const calls: string[] = [];
    const boom = new Error('listener failed');
    controller.signal.addEventListener('abort', () => {
      throw boom;
    });
    controller.signal.addEventListener('abort', () => void calls.push('after'));
    const reason = new Error('timeout');
    controller.abort(reason);
    expect(controller.signal.reason).toBe(reason);
    expect(calls).toEqual(['after']);
    expect(reported).toEqual([boom]);
    const withNull = abortController();
    withNull.abort(null); // only undefined becomes an AbortError, as with AbortController
    expect(withNull.signal.reason).toBeNull();
  });
});

describe('a client that fails to start', () => {
  it('leaves no timer running when its remote\'s subscribe() throws', async () => {
    vi.useFakeTimers();
    const inner = createInProcessServer().remote('u');
    const remote: Remote = {
      sync: (request, options) => inner.sync(request, options),
      subscribe: () => {
        throw new Error('subscribe failed');
      },
    };
    await expect(createSyncClient({ schema, store: memory(), remote, intervalMs: 10_000 })).rejects.toThrow('subscribe failed');
    expect(vi.getTimerCount()).toBe(0);
  });
});
