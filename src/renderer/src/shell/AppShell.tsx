import { useEffect, useState } from 'react';
import { Inspector } from '../components/Inspector.tsx';
import { ReplacedAnnouncer } from '../components/RowNotices.tsx';
import { SyncPanel } from '../components/SyncPanel.tsx';
import { Toasts } from '../components/Toasts.tsx';
import { useAppStore } from '../store/store-context.ts';
import type { AppView } from '../views/app-view.ts';
import { VIEWS } from '../views/registry.ts';
import { ViewSwitcher } from './ViewSwitcher.tsx';

interface Props {
  /** The views to offer; the app's registry unless a test says otherwise. */
  readonly views?: readonly AppView[];
}

/**
 * The app's frame: the header (with the view switcher when there are several views), the
 * current view's sidebar and main pane, and the sync column (a bottom drawer when narrow).
 */
export function AppShell({ views = VIEWS }: Props) {
  const profile = useAppStore((s) => s.info?.profile ?? null);
  const [viewId, setViewId] = useState(views[0]?.id ?? '');
  const view = views.find((v) => v.id === viewId) ?? views[0];

  // Several instances run side by side: the title tells their windows apart.
  useEffect(() => {
    document.title = profile ? `Fieldsync — ${profile}` : 'Fieldsync';
  }, [profile]);

  return (
    <div className="app">
      {view && (
        <a className="skip-link" href={`#${view.skipTo.target}`}>
          {view.skipTo.label}
        </a>
      )}
      <header className="app-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Fieldsync
        </span>
        {profile && (
          <span className="profile-chip" data-testid="profile">
            {profile}
          </span>
        )}
        {views.length > 1 && <ViewSwitcher views={views} current={view?.id ?? ''} onChange={setViewId} />}
      </header>
      <div className="app-body">
        {view && <view.Component key={view.id} />}
        <aside className="side-panel" aria-label="Sync and messages">
          <SyncPanel />
          <Inspector />
        </aside>
      </div>
      <Toasts />
      <ReplacedAnnouncer />
    </div>
  );
}
