/**
 * RowNav's "New …" form in a fork whose table requires more than its title (round 67): a
 * `projects` table with a required Client. The form asks for every required column, in the
 * column's words, and writes a row only once each is valid: never the title alone (refused by
 * the core as "Client can't be empty." under an input that had no Client field), never a half row.
 * The app schema is this fork's, for the core and the renderer alike; the view is the generic
 * one of testing/first-table-view.tsx, so nothing here is the todo app's.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import { FIRST } from '../testing/first-table.ts';
import { firstTableNavView, NEW_FIRST_LABEL } from '../testing/first-table-view.tsx';
import { renderApp } from '../testing/render-app.tsx';

vi.mock('../../../shared/app-schema.ts', async () => {
  const { createdAt, defineAppSchema, field, order, text } = await import('../../../shared/app-schema-kit.ts');
  return {
    appSchema: defineAppSchema({
      version: 3,
      tables: {
        projects: {
          noun: 'project',
          titleColumn: 'name',
          columns: {
            name: text({ label: 'Project name', max: 100 }),
            client: text({ label: 'Client', max: 20 }),
            notes: text({ label: 'Notes', max: 100, optional: true }),
            budget: field<number | null>({ type: 'integer', nullable: true }, { label: 'Budget', min: 0 }),
            order: order(),
            createdAt: createdAt(),
          },
        },
      },
    }),
  };
});

// The registry's views are the todo app's: this test renders the generic view alone.
vi.mock('../views/registry.ts', () => ({ VIEWS: [] }));

const views = [firstTableNavView];

describe('RowNav: "New …" in a table with required columns (round 67)', () => {
  it('runs over the fork schema of this test', () => {
    expect(FIRST).toMatchObject({ table: 'projects', noun: 'project', titleColumn: 'name' });
  });

  it('asks for each required column by its label, and writes the row whole', async () => {
    const { api, user } = await renderApp(undefined, { views });
    const nav = screen.getByRole('navigation', { name: 'The projects' });
    // Only the required columns: not the optional Notes, not the number Budget.
    expect(within(nav).getAllByRole('textbox').map((e) => e.getAttribute('aria-label'))).toEqual([NEW_FIRST_LABEL, 'Client']);
    await user.type(within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL }), 'Website');
    await user.type(within(nav).getByRole('textbox', { name: 'Client' }), 'ACME{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME', notes: '', budget: null }]));
    expect(await within(nav).findByText('Website')).toBeTruthy();
    // Both inputs are free again for the next project, the focus back in the first.
    expect(within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL })).toHaveProperty('value', '');
    expect(within(nav).getByRole('textbox', { name: 'Client' })).toHaveProperty('value', '');
    expect(document.activeElement).toBe(within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL }));
  });

  it('refuses a missing or bad required value at its own input, keeps what was typed, and writes nothing', async () => {
    const { api, kit, user } = await renderApp(undefined, { views });
    const nav = screen.getByRole('navigation', { name: 'The projects' });
    const title = within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL });
    const client = within(nav).getByRole('textbox', { name: 'Client' });
    const writes = () => kit.calls.filter((c) => c.method === 'create').length;
    await user.type(title, 'Website{Enter}');
    expect(await within(nav).findByRole('alert')).toHaveProperty('textContent', "Client can't be empty.");
    expect(client.getAttribute('aria-invalid')).toBe('true');
    expect(title).toHaveProperty('value', 'Website');
    await user.type(client, 'A client name far too long{Enter}');
    expect((await within(nav).findByRole('alert')).textContent).toMatch(/^Client is too long/);
    expect(client).toHaveProperty('value', 'A client name far too long');
    expect(writes()).toBe(0);
    expect(await api.rows(FIRST.table, {})).toEqual([]);
    // Fixed, it goes: one row, whole.
    await user.clear(client);
    await user.type(client, 'ACME{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME' }]));
    expect(writes()).toBe(1);
  });

  it('brings back the title and the client when the core refuses the write, and saves them both on the next Enter', async () => {
    const { api, kit, user } = await renderApp(undefined, { views });
    const nav = screen.getByRole('navigation', { name: 'The projects' });
    const title = within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL });
    const client = within(nav).getByRole('textbox', { name: 'Client' });
    kit.failNext('create', new AppError('invalid_argument', 'Project name is not allowed here.'));
    await user.type(title, 'Website');
    await user.type(client, 'ACME{Enter}');
    expect(await within(nav).findByRole('alert')).toHaveProperty('textContent', 'Project name is not allowed here.');
    expect(title).toHaveProperty('value', 'Website');
    expect(client).toHaveProperty('value', 'ACME');
    await user.type(title, '{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME' }]));
  });
});
