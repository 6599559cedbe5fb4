/**
 * The renderer's store: one zustand store per API, built from three slices: the rows of
 * every table (data-store.ts, generic over the app schema), sync and the inspector, and
 * notices. Components reach it through StoreProvider, never through a global, so tests can
 * build one over any API.
 */
import { createStore } from 'zustand/vanilla';
import type { AppApi } from '../../../shared/app-api.ts';
import type { AppState, AppStore } from './app-state.ts';
import { coalesce } from './coalesce.ts';
import { createDataSlice } from './data-store.ts';
import { createDeletedSlice } from './deleted-store.ts';
import { createNoticeSlice } from './notice-store.ts';
import { createReplacedSlice } from './replaced-store.ts';
import { createSyncSlice } from './sync-store.ts';

export interface AppStoreOptions {
  /** How long to wait for a burst of events to end before re-querying. */
  readonly refreshDelayMs?: number;
  /** How many messages the inspector shows. */
  readonly inspectorLimit?: number;
}

export function createAppStore(api: AppApi, options: AppStoreOptions = {}): AppStore {
  const refreshDelayMs = options.refreshDelayMs ?? 40;
  return createStore<AppState>()((set, get) => {
    const context = { api, set, get, inspectorLimit: options.inspectorLimit ?? 60 };
    return {
      ...createNoticeSlice(context),
      ...createSyncSlice(context),
      ...createDataSlice(context),
      ...createReplacedSlice(context),
      ...createDeletedSlice(context),

      start() {
        // The tables a burst of data events touched, re-read once when it ends.
        const touched = new Set<string>();
        const refreshData = coalesce(() => {
          const tables = [...touched];
          touched.clear();
          void get().refresh(tables);
          void get().loadInspector();
        }, refreshDelayMs);
        // Sync events flip messages from pending to synced: only the inspector cares.
        const refreshInspector = coalesce(() => void get().loadInspector(), refreshDelayMs);
        const unsubscribe = api.subscribe((event) => {
          if (event.type === 'data') {
            for (const t of event.tables) touched.add(t);
            refreshData.schedule();
          } else if (event.type === 'sync') {
            get().receiveSync(event.sync);
            refreshInspector.schedule();
          } else if (event.type === 'replaced') {
            get().receiveReplaced(event.notices);
          }
        });
        void get().loadInfo();
        void get().loadSync();
        void get().loadInspector();
        return () => {
          unsubscribe();
          refreshData.cancel();
          refreshInspector.cancel();
        };
      },
    };
  });
}
