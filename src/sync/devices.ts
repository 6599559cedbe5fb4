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
import { SchemaError, ValidationError } from './errors.ts';

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
