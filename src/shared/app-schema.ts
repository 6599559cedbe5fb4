/**
 * The app's synced tables: the first file to change when you fork the app (docs/fork.md).
 * Everything else that is generic derives from it: the sync schema, the API's argument
 * checks and messages, the core's queries, and the renderer's stores. Every column becomes
 * a native SQLite column and a field that syncs on its own (last writer wins per field).
 * Bump `version` whenever you add a table or a column. (Version 2 added the `devices` table
 * that every app schema has: see app-schema-kit.ts.)
 */
import { createdAt, defineAppSchema, flag, order, parent, text } from './app-schema-kit.ts';

export const appSchema = defineAppSchema({
  version: 2,
  tables: {
    lists: {
      noun: 'list',
      titleColumn: 'name',
      columns: {
        name: text({ label: 'List name', max: 100 }),
        order: order(),
        createdAt: createdAt(),
      },
    },
    todos: {
      noun: 'todo',
      titleColumn: 'title',
      columns: {
        listId: parent('lists'),
        title: text({ label: 'Title', max: 500 }),
        done: flag(),
        order: order(),
        createdAt: createdAt(),
      },
    },
  },
});
