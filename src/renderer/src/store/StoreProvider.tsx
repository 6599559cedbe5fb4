import { useEffect, useState, type ReactNode } from 'react';
import type { AppApi } from '../../../shared/app-api.ts';
import { createAppStore, type AppStoreOptions } from './app-store.ts';
import { StoreContext } from './store-context.ts';

interface Props {
  readonly api: AppApi;
  readonly options?: AppStoreOptions;
  readonly children: ReactNode;
}

/** Builds the store for one API and keeps it subscribed while mounted. */
export function StoreProvider({ api, options, children }: Props) {
  // One store for the provider's lifetime; a new API means a new provider (keyed by the caller).
  const [store] = useState(() => createAppStore(api, options));
  useEffect(() => store.getState().start(), [store]);
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}
