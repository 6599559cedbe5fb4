/**
 * A page its instance will not serve (a used or expired sign-in link, a restarted host): the
 * whole app over the real WebSocket bridge, the socket's other end played by the test. What
 * to do is said once, in the banner: not again in the sync panel, nor in a toast for every
 * call the page had waiting. So is a connection lost for a moment ("Reconnecting…").
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../App.tsx';
import { HANDSHAKE_MESSAGES, memorySessionStore } from '../api/host-handshake.ts';
import { createWsApi } from '../api/ws-bridge.ts';
import { HostSocket } from '../testing/host-socket.ts';
import { BRIDGE_MESSAGES } from '../api/bridge-frames.ts';
import { STEADY_MS } from '../hooks/use-steady-label.ts';
import { HOST_LOST_CODE } from '../lib/sync-label.ts';
import { renderApp } from '../testing/render-app.tsx';

afterEach(cleanup);

const occurrences = (text: string): number => (document.body.textContent ?? '').split(text).length - 1;

describe('a page its instance will not serve', () => {
  it.each([
    ['a used sign-in link', 'code-refused', { code: 'c'.repeat(43), store: memorySessionStore() }, { refused: { reason: 'code' } }],
    ['a restarted instance', 'session-refused', { code: null, store: memorySessionStore({ id: 's'.repeat(43), secret: 'k'.repeat(43) }) }, { refused: { reason: 'session' } }],
  ] as const)('%s: says what to do once, in the banner', async (_, failure, auth, refusal) => {
    const sockets: HostSocket[] = [];
    const api = createWsApi({ url: 'ws://127.0.0.1:4100/api', auth, createSocket: () => (sockets.push(new HostSocket()), sockets.at(-1) as HostSocket) });
    render(<App api={api} options={{ refreshDelayMs: 0 }} />);
    const socket = sockets[0] as HostSocket;
    socket.open();
    expect(socket.sent).toHaveLength(1); // the code, or the session's hello
    socket.receive(refusal);
    const message = HANDSHAKE_MESSAGES[failure];
    await waitFor(() => expect(screen.getByTestId('host-gone').textContent).toBe(message));
    expect(screen.getByTestId('host-gone').getAttribute('role')).toBe('alert');
    // The calls the page made while it connected have all failed by now: give their toasts time.
    await new Promise((r) => setTimeout(r, 100));
    expect(occurrences(message)).toBe(1);
    expect(screen.getByTestId('sync-state').textContent).toBe('Not connected');
    // The banner's alert says it: the sync status region says nothing of it (round 63).
    expect(screen.getByRole('status', { name: 'Sync status' }).textContent).toBe('');
    expect(screen.queryByTestId('sync-detail')).toBeNull();
  });
});

describe('a page that lost its instance for a moment', () => {
  it('says it is reconnecting once, in the banner; the sync panel’s badge says "Reconnecting…"', async () => {
    const { kit } = await renderApp();
    act(() => kit.setSync({ state: 'error', error: { code: HOST_LOST_CODE, message: BRIDGE_MESSAGES.reconnecting } }));
    await waitFor(() => expect(screen.getByTestId('host-lost')).toBeTruthy());
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Reconnecting…'), { timeout: STEADY_MS + 1500 });
    expect(occurrences('Lost the connection to this instance')).toBe(1);
    expect(screen.queryByTestId('sync-detail')).toBeNull();
  });

  it('is said once: the banner is the one live region with "Reconnecting…"; the way back is said by the status region (round 63)', async () => {
    const { kit } = await renderApp();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Synced'));
    act(() => kit.setSync({ state: 'error', error: { code: HOST_LOST_CODE, message: BRIDGE_MESSAGES.reconnecting } }));
    await waitFor(() => expect(screen.getByTestId('sync-state').textContent).toBe('Reconnecting…'), { timeout: STEADY_MS + 1500 });
    // Every element a screen reader speaks by itself when its text changes.
    const live = () => [...document.querySelectorAll('[role="status"], [role="alert"], [role="log"], [aria-live]:not([aria-live="off"])')];
    const saying = (text: string) => live().filter((el) => el.textContent?.includes(text));
    expect(saying('Reconnecting').map((el) => el.getAttribute('data-testid'))).toEqual(['host-lost']);
    act(() => kit.setSync({ state: 'idle', error: null }));
    await waitFor(() => expect(screen.queryByTestId('host-lost')).toBeNull());
    await waitFor(() => expect(screen.getByRole('status', { name: 'Sync status' }).textContent).toBe('Synced'));
  });
});
