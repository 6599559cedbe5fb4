import type { AppApi } from '../../shared/app-api.ts';
import { AppShell } from './shell/AppShell.tsx';
import { NotConnected } from './components/NotConnected.tsx';
import type { AppStoreOptions } from './store/app-store.ts';
import { StoreProvider } from './store/StoreProvider.tsx';

interface Props {
  readonly api: AppApi | null;
  readonly options?: AppStoreOptions;
}

export function App({ api, options }: Props) {
  if (!api) return <NotConnected />;
  return (
    <StoreProvider api={api} options={options}>
      <AppShell />
    </StoreProvider>
  );
}
