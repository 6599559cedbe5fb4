/**
 * A schema of lists and todos that belongs to the tests, not to the app: the tests of generic
 * machinery (the IPC binding, the browser host's validation, order keys on create) open their
 * cores with it (`cores.open({ schema: listsSchema })`), so they keep running, unchanged, in a
 * fork that renamed or replaced the app's own tables (docs/fork.md). It is the reference app's
 * shape on purpose, but deliberately not imported from `src/shared/app-schema.ts`: a fork edits
 * that file, and these tests would then test nothing, or fail with "Unknown table: lists."
 */
import { createdAt, defineAppSchema, flag, order, parent, text } from '../src/shared/app-schema-kit.ts';

export const listsSchema = defineAppSchema({
  version: 1,
  tables: {
    lists: { noun: 'list', titleColumn: 'name', columns: { name: text({ label: 'List name', max: 100 }), order: order(), createdAt: createdAt() } },
    todos: {
      noun: 'todo',
      titleColumn: 'title',
      columns: { listId: parent('lists'), title: text({ label: 'Title', max: 500 }), done: flag(), order: order(), createdAt: createdAt() },
    },
  },
});
