/**
 * The API's sync methods: the status, "Work offline", "Sync now", the inspector (recent
 * messages and one cell's history, named), this instance's name, and the simulated network.
 * The dispatcher (api-handlers.ts) checks their arguments before they run.
 */
import { FieldsyncError, type SyncClient } from 'fieldsync';
import type { ApiArgs, ApiResult } from '../../shared/api-methods.ts';
import { AppError, type NetworkConditions } from '../../shared/app-api.ts';
import { DEVICE_NAME_RULE } from '../../shared/app-schema-kit.ts';
import { checkText } from '../../shared/input-rules.ts';
import type { InspectView } from './inspect-view.ts';
import { NOT_CONFIGURED, toSyncView, type SyncExtras } from './sync-view.ts';

export type SyncMethod = 'syncStatus' | 'setOnline' | 'syncNow' | 'inspect' | 'history' | 'setDeviceName' | 'setNetwork';
export type SyncHandlers = { readonly [M in SyncMethod]: (...args: ApiArgs<M>) => Promise<ApiResult<M>> };

export interface SyncHandlerDeps {
  readonly client: SyncClient;
  readonly configured: boolean;
  readonly inspect: InspectView;
  readonly extras: () => SyncExtras;
  readonly setNetwork: (conditions: NetworkConditions) => void;
  /**
   * After a change the status does not announce by itself (a rename, the network): tell the
   * pages. Awaited, so that when the call answers, the status already shows its change.
   */
  readonly statusChanged: () => Promise<void>;
}

export function createSyncHandlers({ client, configured, inspect, extras, setNetwork, statusChanged }: SyncHandlerDeps): SyncHandlers {
  return {
    syncStatus: async () => toSyncView(client.status, configured, extras()),
    setOnline: async (online) => client.setOnline(online),
    syncNow: async () => {
      if (!configured) throw new AppError('offline', NOT_CONFIGURED.message);
      if (!client.status.online) throw new AppError('offline', 'This instance is working offline. Turn "Work offline" off to sync.');
      try {
        await client.sync();
      } catch (err) {
        if (err instanceof FieldsyncError && err.code === 'network') {
          throw new AppError('offline', "The server can't be reached. Your changes are kept and sync when it is back.");
        }
        // Any other failure (a refused token, a server error) is what the sync status now
        // shows, with its message: the call itself did what it was asked.
        if (!(err instanceof FieldsyncError)) throw err;
      }
    },
    inspect: async (limit) => inspect.entries(await client.recent(limit)),
    history: async (table, row, column) => inspect.entries(await client.history(table, row, column)),
    setDeviceName: async (name) => {
      const checked = checkText(name, DEVICE_NAME_RULE);
      if (!checked.ok) throw new AppError('invalid_argument', checked.message);
      await client.setDeviceName(checked.value);
      await statusChanged();
    },
    setNetwork: async (conditions) => {
      setNetwork(conditions);
      await statusChanged();
      // Try at once under the new conditions, rather than at the next backoff retry: a network
      // that comes back shows its recovery now. Failures show in the status, as any sync's do.
      if (configured && client.status.online) void client.sync().catch(() => {});
    },
  };
}
