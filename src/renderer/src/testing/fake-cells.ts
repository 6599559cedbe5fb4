/**
 * The fake's storage: cells (table, row, column) that keep their last-writer-wins value, and
 * the message log behind the inspector. It mirrors the real mechanism closely enough that
 * the inspector's won/lost badges mean the same thing in tests as in the app.
 */
import type { InspectorEntry } from '../../../shared/app-api.ts';
import type { JsonValue } from 'fieldsync';

export interface CellMessage {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
  readonly column: string;
  readonly value: JsonValue;
  readonly origin: 'local' | 'remote';
  synced: boolean;
  /** Set aside messages are logged but never applied. */
  readonly error: string | null;
}

type Row = Map<string, { value: JsonValue; hlc: string }>;

export class CellStore {
  private readonly tables = new Map<string, Map<string, Row>>();
  readonly log: CellMessage[] = [];

  /** Logs a message and applies it if it is newer than its cell (HLCs compare as strings). */
  apply(message: CellMessage): void {
    this.log.push(message);
    if (message.error !== null) return;
    let rows = this.tables.get(message.table);
    if (!rows) this.tables.set(message.table, (rows = new Map()));
    let row = rows.get(message.row);
    if (!row) rows.set(message.row, (row = new Map()));
    const current = row.get(message.column);
    if (!current || current.hlc < message.hlc) row.set(message.column, { value: message.value, hlc: message.hlc });
  }

  /** Every row of a table as a plain record of its current values. */
  rows(table: string): Array<{ id: string; values: Record<string, JsonValue> }> {
    const out: Array<{ id: string; values: Record<string, JsonValue> }> = [];
    for (const [id, row] of this.tables.get(table) ?? []) {
      const values: Record<string, JsonValue> = {};
      for (const [column, cell] of row) values[column] = cell.value;
      out.push({ id, values });
    }
    return out;
  }

  /** The newest messages first, each marked with whether it is its cell's current value. */
  inspect(limit: number): InspectorEntry[] {
    return this.log
      .slice(-limit)
      .reverse()
      .map((m) => ({
        hlc: m.hlc,
        table: m.table,
        row: m.row,
        column: m.column,
        value: m.value,
        origin: m.origin,
        synced: m.synced,
        won: m.error === null && this.tables.get(m.table)?.get(m.row)?.get(m.column)?.hlc === m.hlc,
        error: m.error,
      }));
  }
}
