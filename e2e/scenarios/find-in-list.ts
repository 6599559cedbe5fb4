/**
 * Scenario 8: find in a long list. The todo list renders only the rows in view, so the
 * browser's own find would see only those: Ctrl+F (Cmd+F on macOS) goes to the app's *Find in
 * this list*, which searches the list's data. Another device of the user syncs a list of
 * 400 todos; an instance finds one far beyond the rows in view, then a few by two words under
 * the Done tab, and Escape brings the whole list back. The find changes nothing: the other
 * instances show the list as it was.
 */
import { expect } from '@playwright/test';
import { generateNKeysBetween } from 'fractional-indexing';
import { AppUi } from '../support/app-ui.ts';
import { fromOtherDevice } from '../support/other-device.ts';
import type { Cluster } from './types.ts';

const COUNT = 400;

/** "Todo 1" to "Todo 400", every seventh done, written by another device of the user. */
async function syncLongList(cluster: Cluster): Promise<void> {
  await fromOtherDevice(cluster, async (device) => {
    const keys = generateNKeysBetween(null, null, COUNT);
    const now = Date.now();
    await device.update('lists', 'long-list', { name: 'Long', order: 'a0', createdAt: now });
    for (let i = 0; i < COUNT; i++) {
      await device.update('todos', `long-${i + 1}`, { listId: 'long-list', title: `Todo ${i + 1}`, done: i % 7 === 6, order: keys[i] as string, createdAt: now + i });
    }
  });
}

export async function findInListScenario(cluster: Cluster): Promise<void> {
  const [a, b] = cluster.instances.map((i) => new AppUi(i.page)) as [AppUi, AppUi];
  await syncLongList(cluster);
  for (const ui of [a, b]) {
    await ui.openList('Long');
    await expect(ui.page.getByTestId('filter-all-count')).toHaveText(String(COUNT), { timeout: 15_000 });
  }
  const page = a.page;
  const list = page.getByTestId('todo-list');
  const find = page.getByRole('searchbox', { name: 'Find in this list' });
  // Far beyond the rows in view: not in the page at all.
  await expect(list.getByRole('listitem', { name: 'Todo 387', exact: true })).toHaveCount(0);

  await page.keyboard.press('ControlOrMeta+f');
  await expect(find).toBeFocused();
  await page.keyboard.type('todo 387');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem', { name: 'Todo 387', exact: true })).toBeVisible();
  await expect(page.getByTestId('find-count')).toHaveText(`1 of ${COUNT}`);

  // Under Done (every seventh), both words anywhere in the title, any case.
  await page.getByRole('tab', { name: /^Done/ }).click();
  await find.fill('38 TODO');
  await a.expectTodos('Long', [{ title: 'Todo 238', done: true }, { title: 'Todo 385', done: true }]);
  await expect(page.getByTestId('find-count')).toHaveText(`2 of ${Math.floor(COUNT / 7)}`);

  await find.fill('nothing like it');
  await expect(page.getByTestId('todos-no-match')).toContainText('No todos here hold “nothing like it”');
  await find.press('Escape');
  await expect(find).toHaveValue('');
  await page.getByRole('tab', { name: /^All/ }).click();
  await expect(list.getByRole('listitem', { name: 'Todo 1', exact: true })).toBeVisible();

  // Nothing was written: the other instance shows the same list, unfiltered.
  await expect(b.page.getByTestId('filter-all-count')).toHaveText(String(COUNT));
  await expect(b.page.getByRole('searchbox', { name: 'Find in this list' })).toHaveValue('');
}
