/**
 * What the app shows before any list when its instance will not serve it (browser host: a
 * used sign-in link, a restarted host), for keyboard and screen reader users (round 58). The
 * app has no sign-in form: a one-time link signs a page in, so the banner saying what to do
 * is the page's "sign-in page". The user's action is Enter in the "New …" input of a view of
 * the schema's first table (testing/first-table-view.tsx), so that a fork that replaces the
 * todos keeps these tests as they are.
 */
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../App.tsx';
import { HANDSHAKE_MESSAGES, memorySessionStore } from '../api/host-handshake.ts';
import { createWsApi } from '../api/ws-bridge.ts';
import { AppShell } from '../shell/AppShell.tsx';
import { StoreProvider } from '../store/StoreProvider.tsx';
import { NEW_FIRST_LABEL, firstTableView } from '../testing/first-table-view.tsx';
import { HostSocket } from '../testing/host-socket.ts';
import type { AppView } from '../views/app-view.ts';
import '../testing/render-app.tsx'; // its cleanup after each test

/** The app at a used sign-in link: the host refuses its code. With `views`, the shell shows those instead of the registry's. */
async function refusedPage(views?: readonly AppView[]) {
  const sockets: HostSocket[] = [];
  const api = createWsApi({
    url: 'ws://127.0.0.1:4100/api',
    auth: { code: 'c'.repeat(43), store: memorySessionStore() },
    createSocket: () => (sockets.push(new HostSocket()), sockets.at(-1) as HostSocket),
  });
  render(
    views === undefined ? (
      <App api={api} options={{ refreshDelayMs: 0 }} />
    ) : (
      <StoreProvider api={api} options={{ refreshDelayMs: 0 }}>
        <AppShell views={views} />
      </StoreProvider>
    ),
  );
  const socket = sockets[0] as HostSocket;
  socket.open();
  socket.receive({ refused: { reason: 'code' } });
  const banner = await screen.findByTestId('host-gone');
  expect(banner.textContent).toBe(HANDSHAKE_MESSAGES['code-refused']);
  return banner;
}

describe('a page its instance will not serve, from the keyboard and a screen reader', () => {
  it('says what to do first in the page’s reading order, where it shows (fixed at the top), not after the whole app', async () => {
    const banner = await refusedPage();
    const first = document.querySelector('.app')?.firstElementChild;
    expect(first).toBe(banner);
    // Tab still starts at the skip link: the banner takes no focus.
    expect(banner.querySelector('a, button, input, [tabindex]')).toBeNull();
  });

  it('says it again when the user acts on the stopped page (Enter in New …), still once on the page', async () => {
    const banner = await refusedPage([firstTableView]);
    const message = HANDSHAKE_MESSAGES['code-refused'];
    await new Promise((r) => setTimeout(r, 100)); // the calls the page had waiting fail: said by the banner as it came
    expect(banner.textContent).toBe(message);
    const user = userEvent.setup();
    const input = screen.getByRole('textbox', { name: NEW_FIRST_LABEL });
    await user.click(input);
    await user.keyboard('Trip{Enter}');
    // The alert's words change (a trailing no-break space), so a screen reader says them again.
    await waitFor(() => expect(banner.textContent).toBe(`${message}\u00a0`));
    expect((input as HTMLInputElement).value).toBe('Trip'); // kept, as for any failed add
    expect((document.body.textContent ?? '').split(message).length - 1).toBe(1);
    expect(screen.queryByTestId('toast-error')).toBeNull();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(banner.textContent).toBe(message));
  });
});
