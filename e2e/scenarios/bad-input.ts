/**
 * Scenario 5: bad input through the UI: an empty title, a 10,000-character title, pasted
 * control characters (a line break, a tab), an over-long list name, an emptied rename.
 * Each gets a clear message under its input and writes nothing. The core refuses the same
 * input when the renderer's checks are bypassed. Nothing breaks: the app keeps working and
 * the other instances never see anything of it.
 */
import { expect } from '@playwright/test';
import { AppUi, type TodoView } from '../support/app-ui.ts';
import type { Cluster } from './types.ts';

const todo = (title: string, done = false): TodoView => ({ title, done });

export const MESSAGES = {
  empty: "Title can't be empty.",
  tooLong: 'Title is too long: 10000 characters, at most 500.',
  control: "Title can't contain control characters such as line breaks or tabs.",
  listTooLong: 'List name is too long: 101 characters, at most 100.',
};

export async function badInputScenario(cluster: Cluster): Promise<void> {
  const [instA] = cluster.instances as [(typeof cluster.instances)[number]];
  const [a, b, c] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi, AppUi];
  const page = a.page;
  const newTodo = page.getByRole('textbox', { name: 'New todo' });

  await a.addList('Inputs');
  await a.addTodo('Valid');
  await a.expectSynced();
  const pendingBefore = await a.pending.textContent();

  // An empty (blank) title.
  await newTodo.fill('   ');
  await newTodo.press('Enter');
  await expect(a.fieldError).toHaveText(MESSAGES.empty);
  await expect(newTodo).toHaveAttribute('aria-invalid', 'true');

  // 10,000 characters: reported, not cut, not saved.
  const long = 'x'.repeat(10_000);
  await newTodo.fill(long);
  await newTodo.press('Enter');
  await expect(a.fieldError).toHaveText(MESSAGES.tooLong);
  await expect(newTodo).toHaveValue(long);

  // Pasted text with a line break (a single-line input would silently drop it): refused.
  await newTodo.fill('');
  await instA.paste(newTodo, 'first line\nsecond line');
  await expect(a.fieldError).toHaveText(MESSAGES.control);
  await expect(newTodo).toHaveValue('');

  // A tab in the text (pasted from a spreadsheet, say): refused when submitted.
  await newTodo.fill('col1\tcol2');
  await newTodo.press('Enter');
  await expect(a.fieldError).toHaveText(MESSAGES.control);

  // List names follow the same rules.
  const newList = page.getByRole('textbox', { name: 'New list' });
  await newList.fill('L'.repeat(101));
  await newList.press('Enter');
  await expect(page.getByTestId('field-error').filter({ hasText: MESSAGES.listTooLong })).toBeVisible();
  await newList.fill('');

  // Renaming to nothing: refused; Escape leaves the title as it was.
  await a.todoList.getByRole('button', { name: 'Rename “Valid”', exact: true }).click();
  const rename = a.todoList.getByTestId('rename-input');
  await rename.fill('');
  await rename.press('Enter');
  await expect(a.todoList.getByTestId('field-error')).toHaveText(MESSAGES.empty);
  await rename.press('Escape');
  await expect(rename).toHaveCount(0);

  // The core checks again, whatever the renderer let through.
  const listId = await a.list('Inputs').getAttribute('data-list-id');
  const todoId = await a.todo('Valid').getAttribute('data-todo-id');
  const refused = async (method: string, args: unknown[], code: string, message?: string | RegExp): Promise<void> => {
    const envelope = await instA.callApi(method, args);
    expect(envelope, `${method}(${JSON.stringify(args).slice(0, 60)})`).toMatchObject({ ok: false, error: { code } });
    if (message && !envelope.ok) expect(envelope.error.message).toMatch(message);
  };
  await refused('create', ['todos', { listId, title: long }], 'invalid_argument', MESSAGES.tooLong);
  await refused('create', ['todos', { listId, title: 'bell\u0007' }], 'invalid_argument', MESSAGES.control);
  await refused('create', ['todos', { listId, title: '' }], 'invalid_argument', MESSAGES.empty);
  await refused('update', ['todos', todoId, { title: 'a\u2028b' }], 'invalid_argument', MESSAGES.control);
  await refused('create', ['todos'], 'invalid_argument', /argument/);
  await refused('create', ['todos', { listId, title: 42 }], 'invalid_argument');
  await refused('update', ['todos', todoId, { colour: 'red' }], 'invalid_argument', /no field "colour"/);
  await refused('update', ['todos', todoId, { done: 'yes' }], 'invalid_argument');
  await refused('update', ['todos', 'no-such-todo', { title: 'Fine' }], 'not_found');
  await refused('dropDatabase', [], 'invalid_argument', /Unknown method/);

  // Nothing was written, nothing broke: no error toast, the app still works, the others agree.
  await expect(a.pending).toHaveText(pendingBefore ?? '0');
  await expect(page.getByTestId('toast-error')).toHaveCount(0);
  await newTodo.fill('Still works');
  await newTodo.press('Enter');
  await expect(a.fieldError).toHaveCount(0);
  const expected = [todo('Valid'), todo('Still works')];
  await a.expectTodos('Inputs', expected);
  for (const ui of [b, c]) {
    await expect(ui.list('Inputs')).toBeVisible();
    await ui.openList('Inputs');
    await ui.expectTodos('Inputs', expected);
  }
  for (const ui of [a, b, c]) await ui.expectSynced();
}
