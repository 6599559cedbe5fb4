/**
 * The `data` event the UI gets for a change of the sync client: the tables it touched and,
 * for each table where it touched few rows, which ones, so that the UI re-reads those rows
 * (`rowsById`) instead of whole lists of thousands. A pull that changed many rows of a table
 * names none of them: one query of the list costs less than hundreds of lookups, and the
 * event stays small.
 */
import type { ChangeEvent } from 'fieldsync';
import { ROWS_BY_ID_MAX } from '../../shared/api-methods.ts';
import type { DataEvent } from '../../shared/app-api.ts';

export function toDataEvent(change: ChangeEvent): DataEvent {
  const rows: Record<string, readonly string[]> = {};
  for (const [table, ids] of Object.entries(change.changes)) {
    const distinct = [...new Set(ids)];
    if (distinct.length > 0 && distinct.length <= ROWS_BY_ID_MAX) rows[table] = distinct;
  }
  return { type: 'data', source: change.source, tables: Object.keys(change.changes), rows };
}
