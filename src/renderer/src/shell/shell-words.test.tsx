/**
 * The shell (header, sync panel, inspector) serves any app schema, so its words name none of
 * the reference app's tables: a fork that replaced the todos must not find "todo" in its
 * sync panel (docs/fork.md, "What you do not touch"). Rendered with a view of its own, so
 * that only the shell's words are on the page, visible or in a tooltip or accessible name.
 */
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StoreProvider } from '../store/StoreProvider.tsx';
import { openTestApi } from '../testing/core-api.ts';
import '../testing/render-app.tsx';
import type { AppView } from '../views/app-view.ts';
import { AppShell } from './AppShell.tsx';

function Blank() {
  return <main className="main-pane" id="blank" aria-label="Blank" />;
}
const blank: AppView = { id: 'blank', label: 'Blank', icon: 'alert', skipTo: { target: 'blank', label: 'Skip to blank' }, Component: Blank };

/** Every word the page says: its text, and the attributes read out or shown on hover. */
function words(): string {
  const attributes = [...document.querySelectorAll('[title], [aria-label], [placeholder]')].flatMap((el) => ['title', 'aria-label', 'placeholder'].map((a) => el.getAttribute(a) ?? ''));
  return [document.body.textContent ?? '', ...attributes].join('\n');
}

describe('the shell', () => {
  it('names no table of the reference app (todos, lists)', async () => {
    const kit = await openTestApi();
    render(
      <StoreProvider api={kit.api}>
        <AppShell views={[blank]} />
      </StoreProvider>,
    );
    await screen.findByTestId('sync-pending');
    expect(words()).toMatch(/Unsent fields/); // the sync panel is there
    expect(words()).not.toMatch(/\btodos?\b|\blists?\b/i);
  });
});
