import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StoreProvider } from '../store/StoreProvider.tsx';
import { openTestApi } from '../testing/core-api.ts';
import '../testing/render-app.tsx';
import type { AppView } from '../views/app-view.ts';
import { VIEWS } from '../views/registry.ts';
import { AppShell } from './AppShell.tsx';

function About() {
  return (
    <main className="main-pane" id="about" aria-label="About">
      <h1>About this app</h1>
    </main>
  );
}
// The app's first view, whatever it is (the todos here, a fork's own view there): the shell is under test.
const first = VIEWS[0] as AppView;
const shown = () => document.getElementById(first.skipTo.target);
const about: AppView = { id: 'about', label: 'About', icon: 'alert', skipTo: { target: 'about', label: 'Skip to about' }, Component: About };

describe('the shell', () => {
  it('shows no view switcher for one view', async () => {
    const kit = await openTestApi();
    render(
      <StoreProvider api={kit.api}>
        <AppShell views={[first]} />
      </StoreProvider>,
    );
    await waitFor(() => expect(shown()).not.toBeNull());
    expect(screen.queryByRole('navigation', { name: 'Views' })).toBeNull();
    expect(screen.getByRole('link', { name: first.skipTo.label }).getAttribute('href')).toBe(`#${first.skipTo.target}`);
  });

  it('switches between views with their own skip links, keeping the sync column', async () => {
    const kit = await openTestApi();
    const user = userEvent.setup();
    render(
      <StoreProvider api={kit.api} options={{ refreshDelayMs: 0 }}>
        <AppShell views={[first, about]} />
      </StoreProvider>,
    );
    const switcher = screen.getByRole('navigation', { name: 'Views' });
    await waitFor(() => expect(shown()).not.toBeNull());
    expect(screen.getByRole('button', { name: first.label }).getAttribute('aria-current')).toBe('page');
    await user.click(screen.getByRole('button', { name: 'About' }));
    expect(screen.getByRole('heading', { level: 1, name: 'About this app' })).toBeTruthy();
    expect(shown()).toBeNull();
    expect(screen.getByRole('link', { name: 'Skip to about' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Sync' })).toBeTruthy();
    expect(switcher.querySelector('[aria-current="page"]')?.textContent).toBe('About');
    expect(screen.queryByRole('link', { name: first.skipTo.label })).toBeNull();
    await user.click(screen.getByRole('button', { name: first.label }));
    await waitFor(() => expect(shown()).not.toBeNull());
    expect(screen.getByRole('link', { name: first.skipTo.label })).toBeTruthy();
  });
});
