/** Who this instance is, how its sync is doing, and the inspector's recent messages. */
import type { SliceContext, SyncSlice } from './app-state.ts';

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
      set({ sync: view });
    },

    async loadInspector() {
      if (!get().inspectorOpen) return;
      const seq = ++inspectRequested;
      try {
        const entries = await api.inspect(inspectorLimit);
        if (seq <= inspectApplied) return;
        inspectApplied = seq;
        set({ inspector: entries });
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

    setInspectorOpen(open) {
      set({ inspectorOpen: open });
      if (open) void get().loadInspector();
    },
  };
}
