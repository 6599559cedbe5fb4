/**
 * A list of thousands of todos is windowed (hooks/use-list-window.ts): only the rows in view
 * are rendered, yet every row says its place in the whole list, and the keyboard, the focus,
 * a rename and a drag work as in a short list. jsdom lays nothing out: the pane is 600 px high
 * and a row 40 px (testing/jsdom-layout.ts), so about 15 rows are in view.
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../testing/render-app.tsx';
import { bigList } from '../views/todos/todo-fixtures.ts';

const SLOW = 60_000; // seeding thousands of rows through the real core takes seconds

const pane = () => document.getElementById('todo-pane') as HTMLElement;
const rendered = () => screen.queryAllByTestId('todo-item');
const row = (title: string) => screen.getByRole('listitem', { name: title });
const place = (el: Element | null) => Number(el?.getAttribute('aria-posinset'));
const focused = () => document.activeElement as HTMLElement;
/** Where a row is drawn in the list (its transform), in pixels. */
const topOf = (el: HTMLElement) => Number(/translateY\((-?[\d.]+)px\)/.exec(el.style.transform)?.[1]);

async function scrollPane(top: number) {
  pane().scrollTop = top;
  fireEvent.scroll(pane());
  await waitFor(() => expect(rendered().some((el) => Math.abs(topOf(el) - top) < 200)).toBe(true));
}

/** The row is drawn inside the part of the pane in view. */
function inView(el: HTMLElement) {
  const top = topOf(el);
  expect(top).toBeGreaterThanOrEqual(pane().scrollTop - 1);
  expect(top + 40).toBeLessThanOrEqual(pane().scrollTop + pane().clientHeight + 1);
}

describe('a list of 10,000 todos', () => {
  it(
    'renders only the rows in view, each saying its place in the whole list',
    async () => {
      const { user } = await renderApp(bigList(10_000));
      expect(screen.getByTestId('todo-summary').textContent).toBe('8572 to do · 1428 done');
      const rows = rendered();
      expect(rows.length).toBeGreaterThanOrEqual(15); // the pane is full
      expect(rows.length).toBeLessThanOrEqual(100);
      expect(rows.map((el) => el.getAttribute('aria-setsize'))).toEqual(rows.map(() => '10000'));
      expect(rows.map(place)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.map((el) => el.getAttribute('aria-label'))).toEqual(rows.map((_, i) => `Todo ${i + 1}`));
      // The list is as high as every row: the pane's scrollbar covers the whole list.
      expect(parseFloat(screen.getByTestId('todo-list').style.height)).toBeGreaterThan(10_000 * 40);

      // Under a filter, the count is the todos the filter shows.
      await user.click(screen.getByRole('tab', { name: /^Done/ }));
      const done = rendered();
      expect(done.length).toBeLessThanOrEqual(100);
      expect(done[0]?.getAttribute('aria-label')).toBe('Todo 7');
      expect(done.map((el) => el.getAttribute('aria-setsize'))).toEqual(done.map(() => '1428'));
      expect(done.map(place)).toEqual(done.map((_, i) => i + 1));
    },
    SLOW,
  );
});

describe('writes in a list of 10,000 todos', () => {
  it(
    'a toggle, a rename and an add each re-read the row they changed, not the 10,000',
    async () => {
      const { kit, user } = await renderApp(bigList(10_000));
      const from = kit.calls.length;
      const readsSince = () => kit.calls.slice(from).filter((c) => c.method === 'rows' || c.method === 'rowsById');
      const settled = () => new Promise((resolve) => setTimeout(resolve, 50)); // the data events' re-reads too

      await user.click(screen.getByRole('checkbox', { name: 'Todo 2' }));
      await waitFor(() => expect(row('Todo 2').dataset.done).toBe('true'));
      expect(screen.getByTestId('todo-summary').textContent).toBe('8571 to do · 1429 done');
      row('Todo 3').focus();
      await user.keyboard('{F2}{Control>}a{/Control}Third{Enter}');
      await waitFor(() => expect(row('Third').getAttribute('aria-posinset')).toBe('3'));
      await user.type(screen.getByRole('textbox', { name: 'New todo' }), 'Last one{Enter}');
      await waitFor(() => expect(screen.getByTestId('todo-summary').textContent).toBe('8572 to do · 1429 done'));
      await settled();
      expect(readsSince().filter((c) => c.method === 'rows')).toEqual([]);
      // Each write's own re-read, and its data event's: one row each.
      expect(readsSince().every((c) => (c.args[1] as string[]).length === 1)).toBe(true);
      expect(new Set(readsSince().map((c) => (c.args[1] as string[])[0])).size).toBe(3);
    },
    SLOW,
  );
});

describe('a windowed list of 2,000 todos', () => {
  it(
    'scrolling the pane shows the rows there, and still only a window of them',
    async () => {
      await renderApp(bigList(2_000));
      await scrollPane(1_000 * 42);
      const rows = rendered();
      expect(rows.length).toBeLessThanOrEqual(100);
      const shown = rows.map(place);
      // The first row stays rendered (it holds the list's tab stop); the others are around the view.
      expect(shown[0]).toBe(1);
      expect(shown.slice(1).every((n) => n > 800 && n < 1_200)).toBe(true);
      expect(rows.filter((el) => place(el) > 1).every((el) => el.getAttribute('aria-label') === `Todo ${place(el)}`)).toBe(true);
    },
    SLOW,
  );

  it(
    'End, Home and the arrows move the focus past the window, scrolling the row into view',
    async () => {
      const { user } = await renderApp(bigList(2_000));
      row('Todo 1').focus();
      await user.keyboard('{End}');
      await waitFor(() => expect(focused().getAttribute('aria-label')).toBe('Todo 2000'));
      expect(place(focused())).toBe(2_000);
      await waitFor(() => inView(focused()));
      await user.keyboard('{ArrowUp}');
      expect(focused().getAttribute('aria-label')).toBe('Todo 1999');
      expect(focused().tabIndex).toBe(0);
      await user.keyboard('{Home}');
      await waitFor(() => expect(focused().getAttribute('aria-label')).toBe('Todo 1'));
      await waitFor(() => expect(pane().scrollTop).toBe(0));
      // One tab stop, wherever the view is.
      expect(rendered().filter((el) => el.tabIndex === 0)).toEqual([focused()]);
    },
    SLOW,
  );

  it(
    'a focused row scrolled out of view keeps the focus, and the arrows go on from its place',
    async () => {
      const { user } = await renderApp(bigList(2_000));
      const third = row('Todo 3');
      third.focus();
      await scrollPane(1_500 * 42);
      expect(third.isConnected).toBe(true);
      expect(focused()).toBe(third);
      await user.keyboard('{ArrowDown}');
      await waitFor(() => expect(focused().getAttribute('aria-label')).toBe('Todo 4'));
      await waitFor(() => inView(focused()));
    },
    SLOW,
  );

  it(
    'a rename in progress survives scrolling away from it',
    async () => {
      const { user } = await renderApp(bigList(2_000));
      row('Todo 2').focus();
      await user.keyboard('{F2}');
      const input = screen.getByRole('textbox', { name: 'Rename “Todo 2”' });
      await user.keyboard('{Control>}a{/Control}Half written');
      await scrollPane(1_200 * 42);
      expect(input.isConnected).toBe(true);
      expect(input).toHaveProperty('value', 'Half written');
      expect(focused()).toBe(input);
    },
    SLOW,
  );

  it(
    'Delete on a focused row scrolled out of view gives the focus to its neighbour, not to a row in view',
    async () => {
      const { user } = await renderApp(bigList(2_000));
      row('Todo 5').focus();
      await scrollPane(1_000 * 42);
      await user.keyboard('{Delete}');
      await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Todo 5' })).toBeNull());
      await waitFor(() => expect(focused().getAttribute('aria-label')).toBe('Todo 6'));
      expect(place(focused())).toBe(5);
      expect(focused().getAttribute('aria-setsize')).toBe('1999');
    },
    SLOW,
  );

  it(
    'dragging a row in a scrolled window moves it to the place in the whole list it is dropped at',
    async () => {
      const { kit } = await renderApp(bigList(2_000));
      await scrollPane(1_000 * 42);
      const rows = rendered().filter((el) => place(el) > 1);
      const first = place(rows[0] as HTMLElement);
      // Each rendered row where a browser would draw it: by its place, the view starting at `first`.
      for (const el of rendered()) {
        const top = (place(el) - first) * 40;
        el.getBoundingClientRect = () => ({ top, height: 40, bottom: top + 40, left: 0, right: 300, width: 300, x: 0, y: top, toJSON: () => ({}) });
      }
      const dragged = rows[2] as HTMLElement;
      const from = place(dragged) - 1; // 0-based, in the whole list
      const grip = dragged.querySelector('.grip') as HTMLElement;
      const y = (from + 1 - first) * 40 + 20;
      fireEvent.pointerDown(grip, { button: 0, pointerId: 1, clientY: y });
      // Below the middle of the row two further down: it lands after that row.
      fireEvent.pointerMove(grip, { pointerId: 1, clientY: y + 2 * 40 + 5 });
      expect(rendered().find((el) => place(el) === from + 4)?.className).toContain('drop-before');
      fireEvent.pointerUp(grip, { pointerId: 1, clientY: y + 2 * 40 + 5 });
      await waitFor(() => expect(kit.calls.filter((c) => c.method === 'move').at(-1)?.args).toEqual(['todos', dragged.dataset.todoId, from + 2]));
      await waitFor(() => expect(row(`Todo ${from + 1}`).getAttribute('aria-posinset')).toBe(String(from + 3)));
    },
    SLOW,
  );
});
