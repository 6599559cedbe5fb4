/**
 * A sidebar row's buttons are named by the list's whole name (round 68). They quoted its first
 * 99 characters and "…" (RowActions' quoteStart), so a screen-reader user tabbing to "Rename",
 * "Move up", "Delete" heard a cut name, and two lists that differ only at the end sounded the
 * same. A list name holds at most 100 characters, but one that arrived by sync with characters
 * the input rules refuse shows each as a visible escape ("<U+202E>"), longer than 100.
 */
import { screen, within } from '@testing-library/react';
import { createMemoryStore, createSyncClient } from 'fieldsync';
import { describe, expect, it } from 'vitest';
import { appSchema } from '../../../shared/app-schema.ts';
import { renderApp } from '../testing/render-app.tsx';

// 100 characters as stored; 163 as shown (each U+202E shown as "<U+202E>").
const STORED = `Quarterly ${'\u202E'.repeat(9)}${'review '.repeat(10)}and its END`;
const SHOWN = STORED.replaceAll('\u202E', '<U+202E>');

describe('a sidebar row with a long name', () => {
  it('names the row and each of its buttons by the whole name', async () => {
    expect([...STORED].length).toBe(100);
    expect(SHOWN.length).toBeGreaterThan(100);
    const { kit, user } = await renderApp();
    // Another device, through the sync protocol directly (the input rules refuse U+202E here).
    const device = await createSyncClient({ schema: appSchema.sync, store: createMemoryStore(), remote: kit.remote(), autoSync: false });
    await device.update('lists', 'l-long', { name: STORED, order: 'a0', createdAt: Date.now() });
    await device.sync();
    await device.close();
    await kit.pull();

    const nav = await screen.findByTestId('list-nav');
    const row = await within(nav).findByRole('listitem', { name: SHOWN });
    const names = within(row)
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual([`Rename “${SHOWN}”`, `Move “${SHOWN}” up`, `Move “${SHOWN}” down`, `Delete “${SHOWN}”`]);
    await user.click(within(row).getByRole('button', { name: `Rename “${SHOWN}”` }));
    expect(within(row).getByRole('textbox', { name: `Rename list “${SHOWN}”` })).toBeTruthy();
  });
});
