/**
 * The app's UI as a user drives it, through the hooks in src/renderer/README.md (roles,
 * accessible names, data-testids). Every action waits for its visible result, so scenarios
 * never sleep. The same helpers drive the browser host and Electron.
 */
import { expect, type Locator, type Page } from '@playwright/test';

export interface TodoView {
  readonly title: string;
  readonly done: boolean;
}

const quoted = (name: string): string => `“${name}”`;

/** How often `expect.poll` looks again: often enough to time a 2-second convergence. */
const POLL = { intervals: [50, 100, 200] };

export class AppUi {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  get sidebar(): Locator {
    return this.page.getByTestId('list-nav');
  }
  get todoList(): Locator {
    return this.page.getByTestId('todo-list');
  }
  list(name: string): Locator {
    return this.sidebar.getByRole('listitem', { name, exact: true });
  }
  todo(title: string): Locator {
    return this.todoList.getByRole('listitem', { name: title, exact: true });
  }
  get syncState(): Locator {
    return this.page.getByTestId('sync-state');
  }
  get pending(): Locator {
    return this.page.getByTestId('sync-pending');
  }
  get offlineSwitch(): Locator {
    return this.page.getByRole('switch', { name: 'Work offline' });
  }
  get fieldError(): Locator {
    return this.page.getByTestId('field-error');
  }

  /** Waits until the app is up and talking to its core. */
  async ready(profile: string): Promise<void> {
    await expect(this.page.getByTestId('sync-profile')).toHaveText(profile, { timeout: 15_000 });
  }

  // Lists

  async addList(name: string): Promise<void> {
    const input = this.page.getByRole('textbox', { name: 'New list' });
    await input.fill(name);
    await input.press('Enter');
    await expect(this.list(name)).toBeVisible();
    await expect(input).toHaveValue('');
  }

  async openList(name: string): Promise<void> {
    // On the name's top-left corner: in a narrow sidebar the row's buttons float over the rest.
    await this.list(name).locator('.list-name').click({ position: { x: 3, y: 3 } });
    await expect(this.page.getByTestId('list-heading')).toHaveText(name);
  }

  async renameList(from: string, to: string): Promise<void> {
    await this.sidebar.getByRole('button', { name: `Rename ${quoted(from)}`, exact: true }).click();
    const input = this.sidebar.getByTestId('rename-input');
    await input.fill(to);
    await input.press('Enter');
    await expect(this.list(to)).toBeVisible();
  }

  async moveListUp(name: string): Promise<void> {
    const before = await this.listNames();
    await this.sidebar.getByRole('button', { name: `Move ${quoted(name)} up`, exact: true }).click();
    const i = before.indexOf(name);
    const after = [...before];
    after.splice(i, 1);
    after.splice(i - 1, 0, name);
    await expect(this.sidebar.getByTestId('list-item')).toHaveText(after);
  }

  async deleteList(name: string): Promise<void> {
    await this.sidebar.getByRole('button', { name: `Delete ${quoted(name)}`, exact: true }).click();
    await this.page.getByTestId('confirm-delete-yes').click();
    await expect(this.list(name)).toHaveCount(0);
  }

  async listNames(): Promise<string[]> {
    return this.sidebar.getByTestId('list-item').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? ''));
  }

  // Todos of the open list

  async addTodo(title: string): Promise<void> {
    const input = this.page.getByRole('textbox', { name: 'New todo' });
    await input.fill(title);
    await input.press('Enter');
    await expect(this.todo(title)).toBeVisible();
    await expect(input).toHaveValue('');
  }

  async renameTodo(from: string, to: string): Promise<void> {
    await this.todoList.getByRole('button', { name: `Rename ${quoted(from)}`, exact: true }).click();
    const input = this.todoList.getByTestId('rename-input');
    await input.fill(to);
    await input.press('Enter');
    await expect(this.todo(to)).toBeVisible();
  }

  async toggleTodo(title: string): Promise<void> {
    const box = this.todoList.getByRole('checkbox', { name: title, exact: true });
    const was = await box.isChecked();
    await box.click();
    await expect(box).toBeChecked({ checked: !was });
  }

  async moveTodoUp(title: string): Promise<void> {
    const before = await this.todos();
    await this.todoList.getByRole('button', { name: `Move ${quoted(title)} up`, exact: true }).click();
    const i = before.findIndex((t) => t.title === title);
    const after = before.map((t) => t.title);
    after.splice(i, 1);
    after.splice(i - 1, 0, title);
    await expect(this.todoList.getByTestId('todo-title')).toHaveText(after);
  }

  async deleteTodo(title: string): Promise<void> {
    await this.todoList.getByRole('button', { name: `Delete ${quoted(title)}`, exact: true }).click();
    await expect(this.todo(title)).toHaveCount(0);
  }

  /** The open list's todos as shown: title and done, in order. */
  async todos(): Promise<TodoView[]> {
    const rows = this.page.getByTestId('todo-item');
    return rows.evaluateAll((items) =>
      items.map((li) => ({ title: li.querySelector('[data-testid="todo-title"]')?.textContent ?? '', done: li.getAttribute('data-done') === 'true' })),
    );
  }

  /** Waits until the sidebar shows exactly these lists, in this order. */
  async expectLists(names: readonly string[], timeout?: number): Promise<void> {
    await expect.poll(() => this.listNames(), { ...POLL, timeout, message: 'the lists in the sidebar' }).toEqual(names);
  }

  /** Waits until the open list is `list` and shows exactly these todos. */
  async expectTodos(list: string, todos: readonly TodoView[], timeout?: number): Promise<void> {
    await expect(this.page.getByTestId('list-heading')).toHaveText(list, { timeout });
    await expect.poll(() => this.todos(), { ...POLL, timeout, message: `the todos of ${list}` }).toEqual(todos);
  }

  // Sync

  async setOffline(offline: boolean): Promise<void> {
    if ((await this.offlineSwitch.getAttribute('aria-checked')) !== String(offline)) await this.offlineSwitch.click();
    await expect(this.offlineSwitch).toHaveAttribute('aria-checked', String(offline));
    if (offline) await expect(this.syncState).toHaveText('Working offline');
  }

  /** Waits until everything this instance wrote is on the server. */
  async expectSynced(timeout?: number): Promise<void> {
    await expect(this.syncState).toHaveText('Synced', { timeout });
    await expect(this.pending).toHaveText('0');
  }

  get networkSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Network' });
  }

  /** Chooses a simulated network by its label ("Slow (+1 s per request)"). */
  async setNetwork(label: string): Promise<void> {
    await this.networkSelect.selectOption({ label });
    await expect(this.networkSelect.locator('option:checked')).toHaveText(label);
  }

  /** The notice of a value another instance replaced, in a todo's row: "Title replaced by web-2". */
  replacedNotice(todoTitle: string, name: string | RegExp = /replaced by/): Locator {
    return this.todo(todoTitle).getByRole('group', { name });
  }

  /** For a screenshot: no hover, no focus ring, no toasts, no notices. */
  async tidyForScreenshot(): Promise<void> {
    // Toasts leave by themselves too: one listed a moment ago may be gone before its click,
    // so dismiss the first one left until none is (a click on a gone toast gives up quickly).
    const toasts = this.page.getByRole('button', { name: 'Dismiss notification' });
    for (let i = 0; i < 20 && (await toasts.count()) > 0; i++) await toasts.first().click({ timeout: 2000 }).catch(() => undefined);
    await expect(toasts).toHaveCount(0);
    // Notices also leave by themselves: dismiss the first one left until none is.
    const notices = this.page.getByTestId('replaced-notice');
    while ((await notices.count()) > 0) await notices.first().getByRole('button', { name: /^Dismiss notice: / }).click({ timeout: 2000 }).catch(() => undefined);
    await expect(notices).toHaveCount(0);
    await this.page.mouse.move(0, 0);
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }

  // Message inspector

  /** The inspector's rows that write `value` to a `column`, such as `title` = "Title from A". */
  inspectorRows(column: string, value: unknown): Locator {
    return this.page
      .locator(`[data-testid="inspector-row"][data-column="${column}"]`)
      .filter({ has: this.page.locator('.cell-value', { hasText: JSON.stringify(value) }) });
  }

  /** Waits until the inspector shows exactly one such message, with this origin and outcome. */
  async expectMessage(column: string, value: unknown, expected: { origin: 'local' | 'remote'; won: boolean }): Promise<void> {
    const row = this.inspectorRows(column, value);
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-origin', expected.origin);
    await expect(row).toHaveAttribute('data-won', String(expected.won));
    await expect(row.getByTestId('inspector-outcome')).toHaveText(expected.won ? 'Won' : 'Lost');
  }
}
