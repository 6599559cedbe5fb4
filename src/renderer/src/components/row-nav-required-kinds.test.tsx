/**
 * RowNav's "New …" form in a fork whose table requires a number and has a flag (round 68):
 * `projects` with a required Client, required Hours (`field<number>('integer', { label, min,
 * max })`, not nullable, no default) and a Billable flag. Round 67 asked for required text
 * only: "New project" wrote a row without its Hours, which the core took and stored as null
 * in a column whose spec forbids null. Now the form asks for each with its own input (the
 * number with the schema's bounds and whole-number rule, the flag as a checkbox), checks them
 * all before one `create`, and brings every value back when the core refuses; and the core
 * itself refuses a create without a required number, in the label's words.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/app-api.ts';
import type { CreateFields, TableName } from '../../../shared/app-rows.ts';
import { FIRST } from '../testing/first-table.ts';
import { firstTableNavView, NEW_FIRST_LABEL } from '../testing/first-table-view.tsx';
import { renderApp } from '../testing/render-app.tsx';

vi.mock('../../../shared/app-schema.ts', async () => {
  const { createdAt, defineAppSchema, field, flag, order, text } = await import('../../../shared/app-schema-kit.ts');
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
            hours: field<number | null>('integer', { label: 'Hours', min: 1, max: 100 }),
            rate: field<number | null>({ type: 'number', nullable: true }, { label: 'Rate', min: 0 }),
            billable: flag({ label: 'Billable' }),
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

async function form() {
  const app = await renderApp(undefined, { views });
  const nav = screen.getByRole('navigation', { name: 'The projects' });
  return {
    ...app,
    nav,
    title: within(nav).getByRole('textbox', { name: NEW_FIRST_LABEL }),
    client: within(nav).getByRole('textbox', { name: 'Client' }),
    hours: within(nav).getByRole('textbox', { name: 'Hours' }),
    billable: within(nav).getByRole('checkbox', { name: 'Billable' }),
    writes: () => app.kit.calls.filter((c) => c.method === 'create').length,
  };
}

describe('RowNav: "New …" with a required number and a flag (round 68)', () => {
  it('runs over the fork schema of this test', () => {
    expect(FIRST).toMatchObject({ table: 'projects', noun: 'project', titleColumn: 'name' });
  });

  it('the core refuses a new row without its required number, in the label\'s words, and writes nothing', async () => {
    const { api } = await renderApp(undefined, { views });
    await expect(api.create(FIRST.table, { name: 'Website', client: 'ACME' } as unknown as CreateFields<TableName>)).rejects.toMatchObject({ code: 'invalid_argument', message: "Hours can't be empty." });
    expect(await api.rows(FIRST.table, {})).toEqual([]);
  });

  it('asks for the number (a whole-number input) and the flag (a checkbox), not the optional Rate, and writes the row whole', async () => {
    const { api, user, nav, title, client, hours, billable, writes } = await form();
    expect(within(nav).getAllByRole('textbox').map((e) => e.getAttribute('aria-label') ?? (e as HTMLInputElement).labels?.[0]?.textContent)).toEqual([NEW_FIRST_LABEL, 'Client', 'Hours']);
    expect(hours.getAttribute('inputmode')).toBe('numeric');
    expect(billable).toHaveProperty('checked', false);
    await user.type(title, 'Website');
    await user.type(client, 'ACME');
    await user.type(hours, '12');
    await user.click(billable);
    await user.type(hours, '{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME', hours: 12, rate: null, billable: true }]));
    expect(writes()).toBe(1);
    // Free again for the next project, the focus back at its title.
    expect([title, client, hours].map((e) => (e as HTMLInputElement).value)).toEqual(['', '', '']);
    expect(billable).toHaveProperty('checked', false);
    expect(document.activeElement).toBe(title);
    // A flag left unchecked is written false.
    await user.type(title, 'Intranet');
    await user.type(client, 'ACME');
    await user.type(hours, '3{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website' }, { name: 'Intranet', hours: 3, billable: false }]));
  });

  it('refuses a missing, fractional or out-of-bounds number at its input, keeps what was typed, and writes nothing', async () => {
    const { api, user, nav, title, client, hours, billable, writes } = await form();
    await user.type(title, 'Website');
    await user.type(client, 'ACME');
    await user.click(billable);
    await user.type(title, '{Enter}');
    expect(await within(nav).findByRole('alert')).toHaveProperty('textContent', "Hours can't be empty.");
    expect(hours.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(hours);
    for (const [typed, message] of [
      ['2.5', 'Hours must be a whole number.'],
      ['0', 'Hours must be at least 1.'],
      ['101', 'Hours must be at most 100.'],
      ['1,5', 'Hours must be a number, with a point before a fraction (1.5).'],
    ] as const) {
      await user.clear(hours);
      await user.type(hours, `${typed}{Enter}`);
      expect(await within(nav).findByRole('alert')).toHaveProperty('textContent', message);
      expect(hours).toHaveProperty('value', typed);
    }
    expect([title, client].map((e) => (e as HTMLInputElement).value)).toEqual(['Website', 'ACME']);
    expect(billable).toHaveProperty('checked', true);
    expect(writes()).toBe(0);
    expect(await api.rows(FIRST.table, {})).toEqual([]);
    await user.clear(hours);
    await user.type(hours, ' 40 {Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME', hours: 40, billable: true }]));
    expect(writes()).toBe(1);
  });

  it('brings back every value, the number as typed and the flag as set, when the core refuses the write', async () => {
    const { api, kit, user, nav, title, client, hours, billable } = await form();
    kit.failNext('create', new AppError('invalid_argument', 'Project name is not allowed here.'));
    await user.type(title, 'Website');
    await user.type(client, 'ACME');
    await user.type(hours, '12');
    await user.click(billable);
    await user.type(title, '{Enter}');
    expect(await within(nav).findByRole('alert')).toHaveProperty('textContent', 'Project name is not allowed here.');
    expect([title, client, hours].map((e) => (e as HTMLInputElement).value)).toEqual(['Website', 'ACME', '12']);
    expect(billable).toHaveProperty('checked', true);
    await user.type(title, '{Enter}');
    await waitFor(async () => expect(await api.rows(FIRST.table, {})).toMatchObject([{ name: 'Website', client: 'ACME', hours: 12, billable: true }]));
  });
});
