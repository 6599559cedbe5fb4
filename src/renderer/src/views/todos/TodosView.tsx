import { useState } from 'react';
import { RowNav } from '../../components/RowNav.tsx';
import type { AppView } from '../app-view.ts';
import type { TodoFilter } from './FilterTabs.tsx';
import { TodoPane } from './TodoPane.tsx';
import './todos.css';

/** The reference app: lists in the sidebar, the open list's todos in the main pane. */
export function TodosView() {
  // The filter stays as it is when another list is opened.
  const [filter, setFilter] = useState<TodoFilter>('all');
  return (
    <>
      <RowNav table="lists" heading="Lists" newLabel="New list" testIdPrefix="list" />
      <TodoPane filter={filter} onFilter={setFilter} />
    </>
  );
}

export const todosView: AppView = {
  id: 'todos',
  label: 'Todos',
  icon: 'check',
  skipTo: { target: 'todo-pane', label: 'Skip to todos' },
  Component: TodosView,
};
