/**
 * Text that breaks the input rules can still arrive by sync: written by another client, an
 * older app or a hostile device, straight through the sync protocol. The app shows it
 * neutralised (visible escapes, isolated), everywhere it shows user text, and never rewrites
 * it in the database.
 */
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { appSchema } from '../../../shared/app-schema.ts';
import type { Row } from '../../../shared/app-rows.ts';
import { API_METHODS } from '../../../shared/api-methods.ts';
import { findForbidden } from '../../../shared/text-rule.ts';
import { createMemoryStore, createSyncClient } from 'fieldsync';
import { renderApp, type TestApi } from '../testing/render-app.tsx';
import { shownTitles } from '../views/todos/todo-fixtures.ts';

// Shown as applied, the override (U+202E) makes "Invoice" + U+202E + "fdp.exe" read "Invoiceexe.pdf".
const LIST = 'Invoice\u202Efdp.exe';
const LIST_SHOWN = 'Invoice<U+202E>fdp.exe';
const TODO = 'Pay\nnow \u2066\u202Eevil';
const TODO_SHOWN = 'Pay\u240Anow <U+2066><U+202E>evil';

/** A device that writes through the sync protocol directly, past every input rule. */
async function hostileDevice(kit: TestApi): Promise<void> {
  const device = await createSyncClient({ schema: appSchema.sync, store: createMemoryStore(), remote: kit.remote(), autoSync: false });
  const now = Date.now();
  await device.update('lists', 'l-evil', { name: LIST, order: 'a0', createdAt: now });
  await device.update('todos', 't-evil', { listId: 'l-evil', title: TODO, done: false, order: 'a0', createdAt: now });
  await device.update('todos', 't-\u202Erow', { listId: 'l-evil', title: 'Fine', done: false, order: 'a1', createdAt: now });
  await device.sync();
  await device.close();
  await kit.pull();
}

/** Each text or attribute of the page (but data-*) that holds a character the rule refuses. */
function unsafeText(): string[] {
  const found: string[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
    if (node instanceof Element) {
      for (const a of node.attributes) if (!a.name.startsWith('data-') && findForbidden(a.value, false)) found.push(`${node.tagName} ${a.name}=${JSON.stringify(a.value)}`);
    } else if (findForbidden(node.textContent ?? '', false)) found.push(`text ${JSON.stringify(node.textContent)}`);
  }
  return found;
}

const writes = (kit: TestApi, from = 0) => kit.calls.slice(from).filter((c) => API_METHODS[c.method].kind === 'write');

describe('text that arrived by sync breaking the input rules', () => {
  it('is shown neutralised and isolated in the nav, the heading, the rows and the inspector, and stays as stored', async () => {
    const { api, kit } = await renderApp();
    await hostileDevice(kit);
    const heading = await screen.findByTestId('list-heading');
    await waitFor(() => expect(heading.textContent).toBe(LIST_SHOWN));
    // Isolated: the user text is a <bdi> of its own, its override a visible, named escape.
    const bdi = heading.querySelector('bdi') as HTMLElement;
    expect(bdi.textContent).toBe(LIST_SHOWN);
    expect(within(bdi).getByTestId('hidden-char').getAttribute('title')).toBe('Hidden character U+202E (right-to-left override), shown instead of applied');
    expect(screen.getByRole('listitem', { name: LIST_SHOWN }).querySelector('.list-name bdi')?.textContent).toBe(LIST_SHOWN);
    await waitFor(() => expect(shownTitles()).toEqual([TODO_SHOWN, 'Fine']));
    expect(screen.getByRole('list', { name: `Todos in ${LIST_SHOWN}` })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: TODO_SHOWN })).toBeTruthy();
    expect(screen.getByRole('button', { name: `Delete “${TODO_SHOWN}”` })).toBeTruthy();

    // The inspector: values, and row ids too, come from the other device.
    const values = screen.getAllByTestId('inspector-row').map((r) => r.querySelector('.cell-value')?.textContent);
    expect(values).toEqual(expect.arrayContaining([`"${LIST_SHOWN}"`, `"Pay\\nnow <U+2066><U+202E>evil"`]));
    expect(screen.getAllByTestId('inspector-row').some((r) => r.querySelector('.cell-path')?.getAttribute('title') === 'todos.t-<U+202E>row.title')).toBe(true);
    // Rows are named by their title, neutralised too.
    expect(screen.getAllByTestId('inspector-row').some((r) => r.querySelector('.cell-row')?.textContent === `“${TODO_SHOWN}”`)).toBe(true);

    // Nothing the rule refuses reaches what the page shows or names: its text, its accessible
    // names and its tooltips (data-* attributes keep raw ids, for the code and the tests).
    expect(unsafeText()).toEqual([]);
    // Nothing was rewritten: the database holds what the server sent, and this window wrote nothing.
    const [stored] = (await api.rows('lists', {})) as Row<'lists'>[];
    expect(stored?.name).toBe(LIST);
    expect(((await api.rows('todos', { parent: 'l-evil' })) as Row<'todos'>[]).map((t) => t.title)).toEqual([TODO, 'Fine']);
    expect(writes(kit)).toEqual([]);
  });

  it('is quoted neutralised in the delete confirmation and the Undo toast, and Undo brings back the same row, shown neutralised', async () => {
    const { api, kit, user } = await renderApp();
    await hostileDevice(kit);
    await waitFor(() => expect(shownTitles()).toEqual([TODO_SHOWN, 'Fine']));
    await user.click(screen.getByRole('button', { name: `Delete “${LIST_SHOWN}”` }));
    const confirm = screen.getByRole('group', { name: `Delete “${LIST_SHOWN}” and its todos?` });
    expect(confirm.querySelector('.confirm-question bdi')?.textContent).toBe(LIST_SHOWN);
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));

    const [before] = (await api.rows('todos', { parent: 'l-evil' })) as Row<'todos'>[];
    await user.click(screen.getByRole('button', { name: `Delete “${TODO_SHOWN}”` }));
    const toast = await screen.findByTestId('toast-info');
    expect(toast.querySelector('.toast-message')?.textContent).toBe(`Deleted “${TODO_SHOWN}”`);
    expect(toast.querySelector('.toast-message bdi')?.textContent).toBe(TODO_SHOWN);
    await user.click(within(toast).getByRole('button', { name: /^Undo delete of “/ }));
    await waitFor(() => expect(shownTitles()).toEqual([TODO_SHOWN, 'Fine']));
    expect(screen.queryByTestId('toast-error')).toBeNull();
    // The row itself (the API's restore): its id and its text as the other device wrote it,
    // which nothing here had to pass through the input rules again.
    const after = (await api.rows('todos', { parent: 'l-evil' })) as Row<'todos'>[];
    expect(after.map((t) => t.title)).toEqual([TODO, 'Fine']);
    expect(after[0]).toEqual(before);
    expect(unsafeText()).toEqual([]);
  });

  it('is edited from its text without the refused characters: unchanged writes nothing, a change writes valid text', async () => {
    const { api, kit, user } = await renderApp();
    await hostileDevice(kit);
    await waitFor(() => expect(shownTitles()).toEqual([TODO_SHOWN, 'Fine']));
    const before = kit.calls.length;
    await user.click(screen.getByRole('button', { name: `Rename “${TODO_SHOWN}”` }));
    const input = screen.getByRole('textbox', { name: `Rename “${TODO_SHOWN}”` }) as HTMLInputElement;
    expect(input.value).toBe('Pay now evil');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId('rename-input')).toBeNull());
    expect(writes(kit, before)).toEqual([]);
    expect(((await api.rows('todos', { parent: 'l-evil' })) as Row<'todos'>[])[0]?.title).toBe(TODO);

    await user.click(screen.getByRole('button', { name: `Rename “${TODO_SHOWN}”` }));
    await user.keyboard('{End} today{Enter}');
    await waitFor(() => expect(shownTitles()).toEqual(['Pay now evil today', 'Fine']));
    expect(writes(kit, before).map((c) => c.args)).toEqual([['todos', 't-evil', { title: 'Pay now evil today' }]]);
  });
});
