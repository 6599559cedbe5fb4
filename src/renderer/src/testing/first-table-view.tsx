/**
 * A view of the schema's first table (testing/first-table.ts) built from the generic parts
 * alone: its rows in a RowNav, with its "New …" input, and an empty main pane. The tests of
 * the shell and the store that need a user's action in some view (Enter in a "New …" input,
 * the focus in an input) render the shell with it, so that they hold whatever a fork's views
 * (docs/fork.md: a fork that replaces the todos keeps them as they are).
 */
import { RowNav } from '../components/RowNav.tsx';
import type { AppView } from '../views/app-view.ts';
import { FIRST } from './first-table.ts';

/** The new-row input's label, in the schema's words: "New list", "New book". */
export const NEW_FIRST_LABEL = `New ${FIRST.noun}`;

function FirstTableView() {
  return (
    <>
      <RowNav table={FIRST.table} heading={FIRST.noun} newLabel={NEW_FIRST_LABEL} testIdPrefix="first" />
      <main className="main-pane" id="first-table-pane" aria-label={`The ${FIRST.noun}`} />
    </>
  );
}

export const firstTableView: AppView = {
  id: 'first-table',
  label: FIRST.noun,
  icon: 'edit',
  skipTo: { target: 'first-table-pane', label: `Skip to the ${FIRST.noun}` },
  Component: FirstTableView,
};
