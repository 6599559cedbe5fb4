/**
 * The browser host's bootstrap (browser-host.ts): the API's URL taken from the page's meta
 * tag only when it points at the page's own host, and the WebSocket API registered only
 * then, once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hostApiUrl, installBrowserHostApi } from './browser-host.ts';
import { getApi, setApiFactory } from './get-api.ts';
import { FakeSocket } from '../testing/fake-bridge-socket.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the browser host bootstrap', () => {
  afterEach(() => {
    setApiFactory(null);
    document.head.querySelectorAll('meta[name="fieldsync-host"]').forEach((m) => m.remove());
  });

  const addMeta = (content: string): void => {
    const meta = document.createElement('meta');
    meta.name = 'fieldsync-host';
    meta.content = content;
    document.head.append(meta);
  };

  it('takes the API URL from the meta tag only when it points at the page’s own host', () => {
    expect(hostApiUrl(document)).toBeNull();
    const own = `ws://${location.host}/api?key=abc`;
    addMeta(own);
    expect(hostApiUrl(document)).toBe(own);
  });

  it.each([
    'ws://evil.example:4100/api?key=abc',
    'wss://127.0.0.1:1/api',
    'http://localhost/api',
    'javascript:alert(1)',
    'not a url',
  ])('ignores a meta tag pointing elsewhere: %s', (content) => {
    addMeta(content);
    expect(hostApiUrl(document)).toBeNull();
  });

  it('registers a WebSocket API factory only when served by the browser host', () => {
    expect(installBrowserHostApi(window)).toBe(false);
    expect(getApi()).toBeNull();
    addMeta(`ws://${location.host}/api?key=abc`);
    const sockets: FakeSocket[] = [];
    expect(installBrowserHostApi(window, { createSocket: (u) => (sockets.push(new FakeSocket(u)), sockets.at(-1) as FakeSocket) })).toBe(true);
    const api = getApi();
    expect(api).not.toBeNull();
    expect(getApi()).toBe(api); // one bridge, however often it is asked for
    expect(sockets.map((s) => s.url)).toEqual([`ws://${location.host}/api?key=abc`]);
  });
});
