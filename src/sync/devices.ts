/**
 * Device names: each client publishes a display name in a synced table of the app's own
 * schema (`devices` unless the app names another, one row per clientId, a `name` column),
 * so that every other device can name who wrote a message or won a cell:
 *
 * ```ts
 * const schema = defineSchema({ version: 1, tables: { devices: { name: 'string' }, todos: { ... } } });
 * const client = await createSyncClient({ schema, store, remote, device: { name: 'Laptop' } });
 * await client.setDeviceName('Work laptop');      // a synced write like any other
 * await client.deviceNames([hlcClientId(m.hlc)]); // Map { 'k3J9…' => 'Work laptop' }
 * ```
 *
 * The option's name is written when the client opens, if this device has published none yet
 * (so a rename stays across restarts), and `setDeviceName` renames; names sync and converge
 * like every other field.
 */
import { readCells } from './cell-values.ts';
import { SchemaError, ValidationError } from './errors.ts';
import { cellKey, rowError, type JsonValue } from './message.ts';
import type { Serial } from './serial.ts';
import type { SyncStore } from './store.ts';

export interface DeviceOptions {
  /** This device's display name: written at start when it has published none yet. */
  readonly name: string;
  /** The table of names; default `devices`. It must have a string column `name`. */
  readonly table?: string;
}

export const DEVICE_NAME_COLUMN = 'name';

/** The device table of the options, checked against the schema. */
export function deviceTable(schema: { readonly tables: ReadonlyMap<string, { readonly columns: ReadonlyMap<string, { readonly type: string }> }> }, options: DeviceOptions): string {
  if (typeof options !== 'object' || options === null) throw new ValidationError('invalid_argument', 'device must be { name, table? }');
  const table = options.table ?? 'devices';
  const column = schema.tables.get(table)?.columns.get(DEVICE_NAME_COLUMN);
  if (column?.type !== 'string') {
    throw new SchemaError(`device names need a table "${table}" with a string column "${DEVICE_NAME_COLUMN}" in the schema, such as ${table}: { ${DEVICE_NAME_COLUMN}: 'string' }`);
  }
  return table;
}

/** A device name as written: trimmed, not empty. */
export function checkDeviceName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new ValidationError('invalid_argument', 'a device name must be a non-empty string');
  return name.trim();
}

export interface DeviceNames {
  /** The names these devices published, by clientId. */
  of(clientIds: readonly string[]): Promise<Map<string, string>>;
  /** Writes this device's name, unless it is already the one stored. */
  publish(name: string): Promise<void>;
}

/** Device names read through the store contract and written as synced writes (`write`). */
export function createDeviceNames(o: {
  readonly store: SyncStore;
  readonly lock: Serial;
  readonly clientId: string;
  /** The device table, or null without the `device` option. */
  readonly table: string | null;
  readonly write: (table: string, row: string, fields: Readonly<Record<string, JsonValue>>) => Promise<unknown>;
}): DeviceNames {
  const { table } = o;
  async function of(clientIds: readonly string[]): Promise<Map<string, string>> {
    if (table === null) return new Map();
    const ids = [...new Set(clientIds)].filter((id) => typeof id === 'string' && rowError(id) === null);
    const values = await o.lock.run(() => readCells(o.store, ids.map((row) => ({ table, row, column: DEVICE_NAME_COLUMN }))));
    const out = new Map<string, string>();
    for (const id of ids) {
      const v = values.get(cellKey(table, id, DEVICE_NAME_COLUMN))?.value;
      if (typeof v === 'string') out.set(id, v);
    }
    return out;
  }
  return {
    of,
    async publish(name) {
      if (table === null) throw new ValidationError('invalid_argument', 'setDeviceName needs the device option of createSyncClient');
      if ((await of([o.clientId])).get(o.clientId) !== name) await o.write(table, o.clientId, { [DEVICE_NAME_COLUMN]: name });
    },
  };
}
