/**
 * A view of the schema's first table (testing/first-table.ts) built from the generic parts
 * alone: a "New …" input (NewItemForm) that adds a row through the store, and an empty main
 * pane. The tests of the shell and the store that need a user's action in some view (Enter in
 * a "New …" input, the focus in an input) render the shell with it, so that they hold
 * whatever a fork's views (docs/fork.md: a fork that replaces the todos keeps them as they are).
 */
import { useMemo } from 'react';
import { appSchema } from '../../../shared/app-schema.ts';
import type { CreateFields, TableName } from '../../../shared/app-rows.ts';
import { textCheck } from '../../../shared/field-checks.ts';
import { NewItemForm } from '../components/NewItemForm.tsx';
import { RowNav } from '../components/RowNav.tsx';
import { useAppStore } from '../store/store-context.ts';
import type { AppView } from '../views/app-view.ts';
import { FIRST, newRowFields } from './first-table.ts';

/** The new-row input's label, in the schema's words: "New list", "New book". */
export const NEW_FIRST_LABEL = `New ${FIRST.noun}`;

function FirstTableView() {
  const create = useAppStore((s) => s.create);
  const check = useMemo(() => textCheck(appSchema, FIRST.table, FIRST.titleColumn), []);
  // Every required text column gets the typed text: a fork's table may require more than its
  // title ("Author can't be empty." otherwise, and the store would never call the API). The
  // shell's tests need one input; RowNav (firstTableNavView, below) asks for each column.
  const add = async (title: string) => {
    const result = await create(FIRST.table, newRowFields(FIRST.table, title) as CreateFields<TableName>);
    return result.ok ? ({ ok: true } as const) : result;
  };
  return (
    <>
      <nav className="sidebar" aria-label={`The ${FIRST.noun}s`}>
        <NewItemForm className="nav-new-item" label={NEW_FIRST_LABEL} placeholder={NEW_FIRST_LABEL} check={check} submit={add} testId="new-first-input" />
      </nav>
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

/**
 * The schema's first table in the generic sidebar, `RowNav`, as a fork's view has it: its
 * "New …" form is what a fork's users add rows with (a field per required column).
 */
export const firstTableNavView: AppView = {
  id: 'first-table-nav',
  label: FIRST.noun,
  icon: 'edit',
  skipTo: { target: 'first-table-pane', label: `Skip to the ${FIRST.noun}` },
  Component: () => (
    <>
      <RowNav table={FIRST.table} heading={`The ${FIRST.noun}s`} newLabel={NEW_FIRST_LABEL} testIdPrefix="first" />
      <main className="main-pane" id="first-table-pane" aria-label={`The ${FIRST.noun}`} />
    </>
  ),
};
