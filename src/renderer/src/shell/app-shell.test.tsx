import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StoreProvider } from '../store/StoreProvider.tsx';
import { openTestApi } from '../testing/core-api.ts';
import '../testing/render-app.tsx';
import type { AppView } from '../views/app-view.ts';
import { todosView } from '../views/todos/TodosView.tsx';
import { AppShell } from './AppShell.tsx';

function About() {
  return (
    <main className="main-pane" id="about" aria-label="About">
      <h1>About this app</h1>
    </main>
  );
}
const about: AppView = { id: 'about', label: 'About', icon: 'alert', skipTo: { target: 'about', label: 'Skip to about' }, Component: About };

describe('the shell', () => {
  it('shows no view switcher for one view', async () => {
    const kit = await openTestApi();
    render(
      <StoreProvider api={kit.api}>
        <AppShell views={[todosView]} />
      </StoreProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('no-lists')).toBeTruthy());
    expect(screen.queryByRole('navigation', { name: 'Views' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Skip to todos' }).getAttribute('href')).toBe('#todo-pane');
  });

  it('switches between views with their own skip links, keeping the sync column', async () => {
    const kit = await openTestApi();
    const user = userEvent.setup();
    render(
      <StoreProvider api={kit.api} options={{ refreshDelayMs: 0 }}>
        <AppShell views={[todosView, about]} />
      </StoreProvider>,
    );
    const switcher = screen.getByRole('navigation', { name: 'Views' });
    expect(screen.getByRole('button', { name: 'Todos' }).getAttribute('aria-current')).toBe('page');
    await user.click(screen.getByRole('button', { name: 'About' }));
    expect(screen.getByRole('heading', { level: 1, name: 'About this app' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Lists' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Skip to about' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Sync' })).toBeTruthy();
    expect(switcher.querySelector('[aria-current="page"]')?.textContent).toBe('About');
    await user.click(screen.getByRole('button', { name: 'Todos' }));
    await waitFor(() => expect(screen.getByTestId('no-lists')).toBeTruthy());
  });
});
