import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../shared/api-methods.ts';
import { AppError, CHANNELS, isAppError, type AppEvent, type Envelope } from '../../shared/app-api.ts';
import { createBridgeApi, toPlainError } from '../bridge-api.ts';
import { createIpcTransport, type IpcRendererLike } from '../ipc-transport.ts';

function fakeIpcRenderer(answer: (method: unknown, args: unknown) => Envelope) {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const invoked: unknown[][] = [];
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, ...args]);
      return answer(args[0], args[1]);
    },
    on: (channel, l) => void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l),
    removeListener: (channel, l) => void listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, event: unknown, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(event, payload);
  };
  return { ipc, invoked, emit, count: () => listeners.get(CHANNELS.event)?.size ?? 0 };
}

describe('preload', () => {
  it('exposes exactly the methods of the table, and subscribe', () => {
    const api = createBridgeApi(createIpcTransport(fakeIpcRenderer(() => ({ ok: true, value: null })).ipc));
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'subscribe'].sort());
  });

  it('sends every call as (method, args) on one channel', async () => {
    const fake = fakeIpcRenderer(() => ({ ok: true, value: [] }));
    const api = createBridgeApi(createIpcTransport(fake.ipc));
    expect(await api.rows('lists', {})).toEqual([]);
    await api.update('todos', 't1', { title: 'Milk' });
    expect(fake.invoked).toEqual([[CHANNELS.invoke, 'rows', ['lists', {}]], [CHANNELS.invoke, 'update', ['todos', 't1', { title: 'Milk' }]]]);
  });

  it('gives listeners the event only, never the IpcRendererEvent, and unsubscribes', () => {
    const fake = fakeIpcRenderer(() => ({ ok: true, value: null }));
    const api = createBridgeApi(createIpcTransport(fake.ipc));
    const got: unknown[][] = [];
    const off = api.subscribe((...args: unknown[]) => void got.push(args));
    const event: AppEvent = { type: 'data', source: 'remote', tables: ['todos'] };
    fake.emit(CHANNELS.event, { sender: 'ipcRenderer itself', ports: [] }, event);
    expect(got).toEqual([[event]]);
    off();
    expect(fake.count()).toBe(0);
  });

  it('rejects with plain error objects that keep their code across the bridge and are AppErrors', async () => {
    const fake = fakeIpcRenderer(() => ({ ok: false, error: { code: 'not_found', message: 'That todo no longer exists.' } }));
    const api = createBridgeApi(createIpcTransport(fake.ipc));
    const err = await api.delete('todos', 'gone').catch((e: unknown) => e);
    expect(Object.getPrototypeOf(err)).toBe(Object.prototype); // what contextBridge copies whole
    expect(err).toEqual({ name: 'AppError', code: 'not_found', message: 'That todo no longer exists.' });
    expect(isAppError(err)).toBe(true);
    expect(isAppError(structuredClone(err))).toBe(true);
    expect(err instanceof AppError).toBe(false); // instanceof means what it says: the guard is isAppError()
  });

  it('isAppError recognises instances and only well-formed plain errors', () => {
    expect(isAppError(new AppError('internal', 'x'))).toBe(true);
    expect(toPlainError(new Error('boom'))).toEqual({ name: 'AppError', code: 'internal', message: expect.any(String) });
    for (const v of [null, undefined, 'AppError', { name: 'AppError', code: 'nope', message: 'm' }, { name: 'Error', code: 'internal', message: 'm' }, { name: 'AppError', code: 'internal' }, new Error('x')]) {
      expect(isAppError(v), JSON.stringify(v)).toBe(false);
    }
  });
});
