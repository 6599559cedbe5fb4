/**
 * Device names: each client publishes a display name in a synced table of the app's own
 * schema (`devices` unless the app names another, one row per clientId, a `name` column),
 * so that every other device can name who wrote a message or won a cell. Opt-in, so that an
 * app without them does not ship them:
 *
 * ```ts
 * const schema = defineSchema({ version: 1, tables: { devices: { name: 'string' }, todos: { ... } } });
 * const client = await createSyncClient({ schema, store, remote, device: deviceNames({ name: 'Laptop' }) });
 * await client.setDeviceName('Work laptop');      // a synced write like any other
 * await client.deviceNames([hlcClientId(m.hlc)]); // Map { 'k3J9…' => 'Work laptop' }
 * ```
 *
 * The option's name is written when the client opens, if this device has published none yet
 * (so a rename stays across restarts), and `setDeviceName` renames; names sync and converge
 * like every other field.
 */
import { readCells } from './cell-values.ts';
import { SchemaError, invalidArgument, reading } from './errors.ts';
import { cellKey, type JsonValue } from './message.ts';
import { unknownOptionError } from './option-keys.ts';
import type { Schema } from './schema.ts';
import type { Serial } from './serial.ts';
import type { SyncStore } from './store.ts';

export interface DeviceOptions {
  /** This device's display name: written at start when it has published none yet. */
  readonly name: string;
  /** The table of names; default `devices`. It must have a string column `name`. */
  readonly table?: string;
}

export const DEVICE_NAME_COLUMN = 'name';

/** A device name as written: trimmed, not empty. */
function checkDeviceName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidArgument('a device name must be a non-empty string');
  return name.trim();
}

export interface DeviceNames {
  /** The names these devices published, by clientId. */
  of(clientIds: readonly string[]): Promise<Map<string, string>>;
  /** Renames this device (trimmed, not empty), unless the name is already the one stored. */
  publish(name: string): Promise<void>;
}

/** What the client lends its device names: its store, its queue, its id and its writes. */
export interface DeviceContext {
  readonly store: SyncStore;
  readonly lock: Serial;
  readonly clientId: string;
  readonly write: (table: string, row: string, fields: Readonly<Record<string, JsonValue>>) => Promise<unknown>;
}

/**
 * Device names for one client (`createSyncClient`'s `device` option): checked against the
 * schema when the client is created, then started once the client is open.
 */
export type DeviceNamesSetup = (schema: Schema) => (ctx: DeviceContext) => Promise<DeviceNames>;

/** This device's name and the table of names, for `createSyncClient`'s `device` option. */
export function deviceNames(options: DeviceOptions): DeviceNamesSetup {
  return reading('deviceNames: reading the options', () => namesOf(options));
}

function namesOf(options: DeviceOptions): DeviceNamesSetup {
  if (typeof options !== 'object' || options === null) throw invalidArgument('deviceNames takes { name, table? }');
  const unknown = unknownOptionError(options, { name: 0, table: 0 } satisfies Record<keyof DeviceOptions, 0>);
  if (unknown) throw invalidArgument(`deviceNames: ${unknown}`);
  const initial = checkDeviceName(options.name);
  const table = options.table ?? 'devices';
  return (schema) => {
    if (schema.tables.get(table)?.columns.get(DEVICE_NAME_COLUMN)?.type !== 'string') {
      throw new SchemaError(`device names need a table "${table}" with a string column "${DEVICE_NAME_COLUMN}" in the schema, such as ${table}: { ${DEVICE_NAME_COLUMN}: 'string' }`);
    }
    return async (o) => {
      // clientIds checked by the client (sync-client.ts), with this option or without.
      async function of(clientIds: readonly string[]): Promise<Map<string, string>> {
        const ids = [...new Set(clientIds)];
        const values = await o.lock.run(() => readCells(o.store, ids.map((row) => ({ table, row, column: DEVICE_NAME_COLUMN }))));
        const out = new Map<string, string>();
        for (const id of ids) {
          const v = values.get(cellKey(table, id, DEVICE_NAME_COLUMN))?.value;
          if (typeof v === 'string') out.set(id, v);
        }
        return out;
      }
      const names: DeviceNames = {
        of,
        async publish(name) {
          const checked = checkDeviceName(name);
          if ((await of([o.clientId])).get(o.clientId) !== checked) await o.write(table, o.clientId, { [DEVICE_NAME_COLUMN]: checked });
        },
      };
      // The option's name is the default: a name published before (renamed since, perhaps) stays.
      if (!(await of([o.clientId])).has(o.clientId)) await names.publish(initial);
      return names;
    };
  };
}
