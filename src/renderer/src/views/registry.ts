/**
 * The app's views, in the order the view switcher shows them; the first one opens first.
 * Adding a view is one import and one entry here (docs/fork.md).
 */
import type { AppView } from './app-view.ts';
import { todosView } from './todos/TodosView.tsx';

export const VIEWS: readonly AppView[] = [todosView];
