/** Who this instance is, how its sync is doing, and the inspector's recent messages. */
import type { SliceContext, SyncSlice } from './app-state.ts';
import { isInvalidArgument } from './errors.ts';
import { saidByBanner } from './notice-store.ts';
import { DEVICE_NAME_RULE } from '../../../shared/app-schema-kit.ts';
import { checkText } from '../../../shared/input-rules.ts';

export function createSyncSlice({ api, set, get, inspectorLimit }: SliceContext): SyncSlice {
  // Bumped by every status request and every sync event: a status answer is shown only if
  // nothing newer happened while it was on its way.
  let syncVersion = 0;
  let inspectRequested = 0;
  let inspectApplied = 0;

  return {
    info: null,
    sync: null,
    inspector: [],
    inspectorOpen: true,
    inspectorFilter: null,
    cellHistory: null,
    showInternal: false,

    async loadInfo() {
      try {
        set({ info: await api.info() });
      } catch (error) {
        get().reportError(error);
      }
    },

    async loadSync() {
      const mine = ++syncVersion;
      try {
        const view = await api.syncStatus();
        if (mine === syncVersion) set({ sync: view });
      } catch (error) {
        get().reportError(error);
      }
    },

    receiveSync(view) {
      syncVersion++;
      // The calls that failed before the page learnt it had stopped for good said it in toasts.
      set((s) => ({ sync: view, toasts: s.toasts.filter((t) => t.kind !== 'error' || !saidByBanner(t.message, view)) }));
    },

    async loadInspector() {
      if (!get().inspectorOpen) return;
      const seq = ++inspectRequested;
      const filter = get().inspectorFilter;
      try {
        const [entries, history] = await Promise.all([
          api.inspect(inspectorLimit),
          filter?.column !== undefined ? api.history(filter.table as never, filter.row, filter.column) : null,
        ]);
        if (seq <= inspectApplied) return;
        inspectApplied = seq;
        // A history answer for a filter that has changed since is not this filter's.
        set({ inspector: entries, ...(get().inspectorFilter === filter ? { cellHistory: history } : {}) });
      } catch (error) {
        if (seq > inspectApplied) get().reportError(error);
      }
    },

    async setOnline(online) {
      try {
        await api.setOnline(online);
      } catch (error) {
        get().reportError(error);
      }
      await get().loadSync();
    },

    async syncNow() {
      try {
        await api.syncNow();
      } catch (error) {
        get().reportError(error);
      }
      await get().loadSync();
    },

    filterInspector(filter) {
      set({ inspectorFilter: filter, cellHistory: null, inspectorOpen: true });
      void get().loadInspector();
    },

    setShowInternal(show) {
      set({ showInternal: show });
    },

    async setDeviceName(name) {
      // Checked here first, as the data store checks text: a name of any length gets the same
      // words ("at most 60"), never the API's argument check, which caps what it reads.
      const checked = checkText(name, DEVICE_NAME_RULE);
      if (!checked.ok) return { ok: false, message: checked.message };
      try {
        await api.setDeviceName(name);
        return { ok: true };
      } catch (error) {
        if (isInvalidArgument(error)) return { ok: false, message: error.message };
        get().reportError(error);
        return { ok: false, message: null };
      }
    },

    async setNetwork(conditions) {
      try {
        await api.setNetwork(conditions);
      } catch (error) {
        get().reportError(error);
      }
      await get().loadSync();
    },

    setInspectorOpen(open) {
      set({ inspectorOpen: open });
      if (open) void get().loadInspector();
    },
  };
}
