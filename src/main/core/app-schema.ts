/**
 * The app's synced tables. Fork the app by changing this file (and `todo-repo.ts`, the API
 * handlers and the renderer): every declared column becomes a native SQLite column and a
 * field that syncs on its own. Bump `version` whenever you add a table or a column.
 */
import { LIST_NAME_MAX, TITLE_MAX } from '../../shared/input-rules.ts';
import { ROW_MAX_CHARS, defineSchema } from 'fieldsync';

/** Fractional order keys grow by about one character per split of the same gap; past this they are renumbered. */
export const ORDER_MAX = 200;

export const appSchema = defineSchema({
  version: 1,
  tables: {
    lists: {
      name: { type: 'string', maxLength: LIST_NAME_MAX },
      order: { type: 'string', maxLength: ORDER_MAX },
      createdAt: 'integer',
    },
    todos: {
      listId: { type: 'string', maxLength: ROW_MAX_CHARS },
      title: { type: 'string', maxLength: TITLE_MAX },
      done: 'boolean',
      order: { type: 'string', maxLength: ORDER_MAX },
      createdAt: 'integer',
    },
  },
});
