import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/app-rows.ts';
import { renderApp } from '../testing/render-app.tsx';
import { groceries, lists } from '../views/todos/todo-fixtures.ts';

const todosOf = async (api: Parameters<Parameters<typeof renderApp>[0] & object>[0], listId: string) =>
  (await api.rows('todos', { parent: listId })) as Row<'todos'>[];

/** Another device, a minute ahead, renames Milk to Whole milk; this one renames it to `mine` too, before it hears of that. */
async function renamedOnBoth(mine: string) {
  const { api, kit, user } = await renderApp(groceries);
  const list = (await lists(api))[0] as Row<'lists'>;
  const milk = (await todosOf(api, list.id))[0] as Row<'todos'>;
  await kit.pull();
  const phone = await kit.device({ now: () => Date.now() + 60_000 });
  await phone.sync();
  await phone.api.update('todos', milk.id, { title: 'Whole milk' });
  await phone.sync();
  await api.update('todos', milk.id, { title: mine });
  await kit.pull();
  return { api, kit, user, list, phone };
}

describe('values another instance replaced', () => {
  it('shows the instance whose edit lost: the field, old and new value, who won and why; Restore writes the old value, which wins', async () => {
    const { kit, user, list, phone } = await renamedOnBoth('Oat milk');

    const row = await screen.findByRole('listitem', { name: 'Whole milk' });
    const notice = await within(row).findByRole('group', { name: 'Title replaced by alice-1-other' });
    expect(notice.querySelector('.notice-change')?.textContent).toBe('Title “Oat milk” → replaced by “Whole milk”');
    expect(within(notice).getByTestId('replaced-why').textContent).toMatch(/^alice-1-other edited it too, before seeing yours; its edit at \d\d:\d\d:\d\d\.\d{3} is later than yours at \d\d:\d\d:\d\d\.\d{3}, so it won\.$/);
    // Announced to screen readers, without taking the focus.
    const focused = document.activeElement;
    expect(screen.getByRole('status', { name: 'Changes from other devices' }).textContent).toBe(
      'Your title “Oat milk” of “Whole milk” was replaced by “Whole milk” from alice-1-other, which edited it at the same time: its edit is later.',
    );
    expect(document.activeElement).toBe(focused);

    await user.click(within(notice).getByRole('button', { name: 'Restore title “Oat milk” of todo “Whole milk”' }));
    await waitFor(() => expect(within(screen.getByTestId('todo-list')).queryByRole('listitem', { name: 'Oat milk' })).toBeTruthy());
    expect(screen.queryByTestId('replaced-notice')).toBeNull();
    await kit.pull();
    await phone.sync();
    expect((await todosOf(phone.api, list.id))[0]?.title).toBe('Oat milk'); // the restore won on the other device too
  });

  it('shows a value past the old 100-character cut whole in the notice; its Restore button and the announcement quote its start', async () => {
    // Round 68: the notice cut it to 99 characters and "…": what was lost could not be read.
    const long = `Oat milk ${'o'.repeat(200)} END`;
    const { api, user, list } = await renamedOnBoth(long);

    const notice = await screen.findByRole('group', { name: 'Title replaced by alice-1-other' });
    expect(notice.querySelector('.notice-change')?.textContent).toBe(`Title “${long}” → replaced by “Whole milk”`);
    expect(within(notice).queryByRole('button', { name: /^Show all/ })).toBeNull(); // 213 characters: no fold
    const start = `Oat milk ${'o'.repeat(90)}…`;
    expect(screen.getByRole('status', { name: 'Changes from other devices' }).textContent).toContain(`Your title “${start}” of`);
    await user.click(within(notice).getByRole('button', { name: `Restore title “${start}” of todo “Whole milk”` }));
    await waitFor(async () => expect((await todosOf(api, list.id))[0]?.title).toBe(long));
  });

  it('folds a very long value to its start and "Show all", which shows it whole (and Show less folds it again)', async () => {
    // The longest title a todo takes; a note's body in a fork may take 20,000 characters.
    const long = `Oat milk ${'o'.repeat(481)} THE END.`;
    const { user } = await renamedOnBoth(long);

    const notice = await screen.findByRole('group', { name: 'Title replaced by alice-1-other' });
    const folded = `Oat milk ${'o'.repeat(191)}…`;
    expect(notice.querySelector('.notice-change')?.textContent).toBe(`Title “${folded}” Show all (499 characters) → replaced by “Whole milk”`);
    const showAll = within(notice).getByRole('button', { name: 'Show all 499 characters of your title' });
    expect(showAll.getAttribute('aria-expanded')).toBe('false');
    await user.click(showAll);

    expect(showAll.getAttribute('aria-expanded')).toBe('true');
    expect(showAll).toHaveProperty('textContent', 'Show less');
    expect(showAll.getAttribute('aria-label')).toBe('Show less of your title');
    const whole = within(notice).getByRole('region', { name: 'your title, whole' });
    expect(whole.textContent).toBe(`“${long}”`);
    expect(whole.id).toBe(showAll.getAttribute('aria-controls'));
    expect(whole.tabIndex).toBe(0); // a keyboard scrolls it
    expect(notice.querySelector('.notice-old')?.textContent).toBe(long); // struck through, the lost one
    expect(document.activeElement).toBe(showAll); // the focus holds the notice: it does not go away while read

    await user.click(showAll);
    expect(notice.querySelector('.notice-change')?.textContent).toBe(`Title “${folded}” Show all (499 characters) → replaced by “Whole milk”`);
    expect(within(notice).queryByRole('region')).toBeNull();
  });

  it('shows nothing for a plain change from another device, which just shows', async () => {
    // Everything on screen here was written by the other device: no edit of this one's is lost.
    const { api, kit } = await renderApp();
    const phone = await kit.device();
    await groceries(phone.api);
    await phone.sync();
    await kit.pull();
    await screen.findByRole('listitem', { name: 'Bread' });
    const list = (await lists(api))[0] as Row<'lists'>;
    await phone.api.update('lists', list.id, { name: 'Shopping' });
    const bread = (await todosOf(phone.api, list.id))[1] as Row<'todos'>;
    await phone.api.update('todos', bread.id, { done: false });
    await phone.sync();
    await kit.pull();
    await waitFor(() => expect(screen.getByTestId('list-heading').textContent).toBe('Shopping'));
    expect(screen.getByRole('listitem', { name: 'Bread' }).dataset.done).toBe('false');
    expect(screen.queryByTestId('replaced-notice')).toBeNull();
    expect(screen.getByRole('status', { name: 'Changes from other devices' }).textContent).toBe('');
  });

  it('goes away by itself, on Dismiss, or once this instance edits the field again', async () => {
    const { api, kit, user } = await renderApp(groceries);
    const list = (await lists(api))[0] as Row<'lists'>;
    const [milk, bread, eggs] = (await todosOf(api, list.id)) as [Row<'todos'>, Row<'todos'>, Row<'todos'>];
    await kit.pull();
    // Three titles edited on both devices at once, the other device's later: three notices here.
    const phone = await kit.device({ now: () => Date.now() + 60_000 });
    await phone.sync();
    const edits = [[milk.id, 'Whole milk', 'Oat milk'], [bread.id, 'Rye', 'Spelt'], [eggs.id, 'Duck eggs', 'Quail eggs']] as const;
    for (const [id, title] of edits) await phone.api.update('todos', id, { title });
    await phone.sync();
    for (const [id, , title] of edits) await api.update('todos', id, { title });
    await kit.pull();
    const notices = async () => screen.findAllByTestId('replaced-notice');
    expect(await notices()).toHaveLength(3);
    await user.click(within(screen.getByRole('listitem', { name: 'Whole milk' })).getByRole('button', { name: 'Dismiss notice: title of todo “Whole milk” replaced' }));
    expect(await notices()).toHaveLength(2);
    // Renamed here again: its notice no longer describes the field.
    await user.click(screen.getByRole('button', { name: 'Rename “Rye”' }));
    await user.keyboard('{Control>}a{/Control}Sourdough{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('replaced-notice')).toHaveLength(1));
    // The last one leaves by itself after a few seconds.
    await act(() => new Promise((r) => setTimeout(r, 8100)));
    expect(screen.queryByTestId('replaced-notice')).toBeNull();
  }, 15_000);
});
