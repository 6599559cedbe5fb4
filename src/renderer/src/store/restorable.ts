/**
 * The fields that bring a row's content back as a new row: what the deleted-row notice
 * (deleted-store.ts) offers to keep when an edit here lost to a delete on another device.
 */
import type { JsonValue } from 'fieldsync';
import type { AnyRow } from '../../../shared/app-api.ts';
import type { AppTable } from '../../../shared/app-schema-kit.ts';
import { editableText } from '../lib/display-text.ts';

/**
 * Everything but what the core sets itself (order, creation time). Text that arrived by sync
 * breaking the input rules comes back as it was shown to be edited (`editableText`), so that
 * the create is not refused.
 */
export function restorable(table: AppTable, row: AnyRow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, column] of table.columns) {
    const value = row[name];
    if (column.kind === 'order' || column.kind === 'createdAt' || value === null || value === undefined) continue;
    out[name] = column.kind === 'text' ? editableText(value, column) : value;
  }
  return out;
}
