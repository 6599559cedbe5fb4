/** Chooses and opens the server store the settings ask for. */
import { join } from 'node:path';
import type { ServerStore } from '../../src/sync/server/server-store.ts';
import { ConfigError } from '../config.ts';
import { createSqliteServerStore } from './sqlite-server-store.ts';

export const SQLITE_FILE = 'fieldsync.sqlite';

/** Thrown for a store that this version of the server cannot open yet. */
export class UnsupportedStoreError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedStoreError';
  }
}

export interface StoreSettings {
  readonly dataDir: string;
  readonly compaction: boolean;
  readonly databaseUrl: string | undefined;
}

export interface OpenedStore {
  readonly store: ServerStore;
  /** What was opened, for the log (never a password). */
  readonly description: string;
}

export function openStore(settings: StoreSettings): OpenedStore {
  if (settings.databaseUrl !== undefined) {
    throw new UnsupportedStoreError(
      'FIELDSYNC_DATABASE_URL: the PostgreSQL store is not yet supported; unset it to use the embedded SQLite database',
    );
  }
  const file = join(settings.dataDir, SQLITE_FILE);
  return { store: createSqliteServerStore({ file, compaction: settings.compaction }), description: `sqlite ${file}` };
}
