import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { appSchema } from '../../../../shared/app-schema.ts';
import { textCheck } from '../../../../shared/field-checks.ts';
import { Icon } from '../../components/Icon.tsx';
import { NewItemForm } from '../../components/NewItemForm.tsx';
import { findWords, matchesFind } from '../../lib/find-text.ts';
import { focusParked } from '../../lib/focus-lost.ts';
import { RowNotices } from '../../components/RowNotices.tsx';
import { UserText } from '../../components/UserText.tsx';
import { useAppStore } from '../../store/store-context.ts';
import { useRows, useSelection } from '../../store/use-rows.ts';
import { FilterTabs, type TodoFilter } from './FilterTabs.tsx';
import { FindBox } from './FindBox.tsx';
import { TodoList } from './TodoList.tsx';

const checkTitle = textCheck(appSchema, 'todos', 'title');

const EMPTY_TEXT: Record<TodoFilter, string> = {
  all: 'Nothing here yet. Add a todo above.',
  active: 'Nothing left to do.',
  done: 'Nothing done yet.',
};

interface Props {
  readonly filter: TodoFilter;
  readonly onFilter: (filter: TodoFilter) => void;
}

/** The selected list: its name, the new-todo input, the filter tabs and the todos. */
export function TodoPane({ filter, onFilter }: Props) {
  const lists = useRows('lists');
  const [selectedListId] = useSelection('lists');
  const list = lists.rows.find((l) => l.id === selectedListId) ?? null;
  const { rows: todos, loaded } = useRows('todos', list ? list.id : null);
  const create = useAppStore((s) => s.create);
  // The pane scrolls (layout.css .main-pane): the todo list renders the rows in its view.
  const paneRef = useRef<HTMLElement>(null);
  // The todo being renamed outlives a re-render of the list.
  const [editingId, setEditingId] = useState<string | null>(null);
  // What New todo holds, as last reported: kept in a ref, not in state, so that a keystroke
  // renders only the form (in state it re-rendered every row of the list).
  const draft = useRef('');
  const keepDraft = useCallback((text: string) => {
    draft.current = text;
  }, []);
  const takeDraft = useCallback(() => draft.current, []);
  // Whether the next New todo starts from the draft of the one before (see below).
  const [carryDraft, setCarryDraft] = useState(false);
  // "Find in this list" (FindBox.tsx): a find belongs to its list.
  const [query, setQuery] = useState('');
  const findRef = useRef<HTMLInputElement>(null);
  const [shownListId, setShownListId] = useState(list?.id ?? null);
  if (shownListId !== (list?.id ?? null)) {
    setShownListId(list?.id ?? null);
    setEditingId(null);
    setQuery('');
    // Another list opened. When the one before was deleted (on another device: a toast says
    // so), the text typed into its New todo moves along instead of vanishing.
    setCarryDraft(!lists.rows.some((l) => l.id === shownListId));
  }
  // The todo being renamed was deleted: its edit ends (InlineEdit offers the text back).
  if (editingId !== null && loaded && !todos.some((t) => t.id === editingId)) setEditingId(null);

  const { visible, tabbed, counts, allIds } = useMemo(() => {
    const done = todos.filter((t) => t.done);
    const active = todos.filter((t) => !t.done);
    // A todo being renamed stays in view even when another device moves it out of the
    // filter (ticks it under Active), or its new title out of the find: the edit is not
    // lost, and it leaves once it ends.
    const shown = (t: (typeof todos)[number]) => t.id === editingId || (filter === 'done' ? t.done : !t.done);
    const inTab = filter === 'all' ? todos : todos.filter(shown);
    const words = findWords(query);
    return {
      visible: words.length === 0 ? inTab : inTab.filter((t) => t.id === editingId || matchesFind(t.title, words)),
      tabbed: inTab.length,
      counts: { all: todos.length, active: active.length, done: done.length },
      allIds: todos.map((t) => t.id),
    };
  }, [todos, filter, editingId, query]);

  // The list renders its rows in order, from the top of its view: after a find, the first
  // one found is the first in the panel.
  const focusFirstTodo = useCallback(() => {
    document.querySelector<HTMLElement>('#todo-panel [data-testid="todo-item"]')?.focus();
  }, []);

  // Ctrl+F (Cmd+F on macOS) goes to the find, not to the browser's: that one sees only the
  // rows the windowed list renders.
  const hasList = list !== null;
  useEffect(() => {
    if (!hasList) return;
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.key.toLowerCase() !== 'f') return;
      event.preventDefault();
      findRef.current?.focus();
      findRef.current?.select();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [hasList]);

  // The last row in view went (deleted, or ticked under Active) with the focus in it: focus
  // goes to New todo, not to <body> (the top of the page, for a screen reader).
  const shown = visible.length;
  const shownBefore = useRef(shown);
  useEffect(() => {
    const had = shownBefore.current;
    shownBefore.current = shown;
    if (had > 0 && shown === 0 && focusParked()) {
      document.querySelector<HTMLElement>('#todo-pane [data-testid="new-todo-input"]')?.focus();
    }
  }, [shown]);

  if (!list) {
    return (
      <main className="main-pane todo-pane todo-pane-empty" id="todo-pane" tabIndex={-1}>
        {lists.loaded && (
          <div className="empty-state" data-testid="no-lists">
            <Icon name="lists" className="empty-icon" />
            <h1>No lists yet</h1>
            <p>Create a list in the sidebar to start adding todos.</p>
          </div>
        )}
      </main>
    );
  }

  return (
    <main ref={paneRef} className="main-pane todo-pane" id="todo-pane" tabIndex={-1} aria-labelledby="list-heading">
      <header className="todo-pane-header">
        {/* Takes the focus when what it was to go back to has gone and the list shows no row (focus-lost.ts). */}
        <h1 id="list-heading" data-testid="list-heading" tabIndex={-1}>
          <UserText value={list.name} />
        </h1>
        <p className="todo-summary" data-testid="todo-summary">
          {counts.active} to do · {counts.done} done
        </p>
        <RowNotices table="lists" row={list.id} />
      </header>
      <NewItemForm
        key={list.id}
        label="New todo"
        placeholder="Add a todo and press Enter"
        check={checkTitle}
        submit={async (title) => {
          const result = await create('todos', { listId: list.id, title });
          // A new todo the find would hide: the find ends, so that it shows.
          if (result.ok && !matchesFind(title, findWords(query))) setQuery('');
          return result.ok ? { ok: true } : result;
        }}
        testId="new-todo-input"
        initialDraft={carryDraft ? takeDraft : undefined}
        onDraftChange={keepDraft}
      />
      <div className="todo-tools">
        <FilterTabs value={filter} counts={counts} onChange={onFilter} panelId="todo-panel" />
        <FindBox ref={findRef} query={query} onQuery={setQuery} found={visible.length} of={tabbed} onFirst={focusFirstTodo} />
      </div>
      <div id="todo-panel" role="tabpanel" aria-labelledby={`filter-${filter}`} className="todo-panel">
        {!loaded ? null : visible.length === 0 && tabbed > 0 ? (
          <div className="empty-hint" data-testid="todos-no-match">
            <p>
              No todos here hold “<UserText value={query.trim()} />”.
            </p>
            <button type="button" className="button button-small" data-testid="find-clear" onClick={() => {
              setQuery('');
              findRef.current?.focus();
            }}>
              Clear the find
            </button>
          </div>
        ) : visible.length === 0 ? (
          <p className="empty-hint" data-testid="todos-empty">
            {EMPTY_TEXT[filter]}
          </p>
        ) : (
          <TodoList todos={visible} allIds={allIds} listName={list.name} filter={filter} editingId={editingId} onEditing={setEditingId} scrollRef={paneRef} />
        )}
      </div>
    </main>
  );
}
