/**
 * The renderer's store: one zustand store per API, built from three slices: the rows of
 * every table (data-store.ts, generic over the app schema), sync and the inspector, and
 * notices. Components reach it through StoreProvider, never through a global, so tests can
 * build one over any API.
 */
import { createStore } from 'zustand/vanilla';
import { ROWS_BY_ID_MAX } from '../../../shared/api-methods.ts';
import type { AppApi, DataEvent } from '../../../shared/app-api.ts';
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
        // What a burst of data events touched, re-read once when it ends: by table, the rows
        // they named, or null for a table to re-read whole (an event that named none of its
        // rows, or too many of them together).
        const touched = new Map<string, Set<string> | null>();
        const receiveData = (event: DataEvent): void => {
          for (const table of event.tables) {
            const ids = event.rows?.[table];
            const held = touched.get(table);
            if (!Array.isArray(ids) || held === null) {
              touched.set(table, null);
              continue;
            }
            const all = new Set([...(held ?? []), ...ids]);
            touched.set(table, all.size > ROWS_BY_ID_MAX ? null : all);
          }
        };
        const refreshData = coalesce(() => {
          const burst = [...touched];
          touched.clear();
          const whole = burst.filter(([, ids]) => ids === null).map(([table]) => table);
          if (whole.length > 0) void get().refresh(whole);
          for (const [table, ids] of burst) if (ids !== null) void get().refreshRows(table, [...ids]);
        }, refreshDelayMs);
        // The inspector shows new messages (data events) and flips them from pending to synced
        // (sync events). One write brings both, a few ms apart: one timer for the two, so that
        // it reads the messages once per burst, not once for each kind of event.
        const refreshInspector = coalesce(() => void get().loadInspector(), refreshDelayMs);
        const unsubscribe = api.subscribe((event) => {
          if (event.type === 'data') {
            receiveData(event);
            refreshData.schedule();
            refreshInspector.schedule();
          } else if (event.type === 'sync') {
            get().receiveSync(event.sync);
            refreshInspector.schedule();
          } else if (event.type === 'replaced') {
            get().receiveReplaced(event.notices);
          } else if (event.type === 'deletedEdits') {
            get().reportDeletedEdits(event.notices);
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
