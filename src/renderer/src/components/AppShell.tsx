import { useEffect } from 'react';
import { useAppStore } from '../store/store-context.ts';
import { Inspector } from './Inspector.tsx';
import { Sidebar } from './Sidebar.tsx';
import { SyncPanel } from './SyncPanel.tsx';
import { Toasts } from './Toasts.tsx';
import { TodoPane } from './TodoPane.tsx';

/** The app's frame: header, lists, todos, and the sync column (a bottom drawer when narrow). */
export function AppShell() {
  const profile = useAppStore((s) => s.info?.profile ?? null);

  // Several instances run side by side: the title tells their windows apart.
  useEffect(() => {
    document.title = profile ? `Fieldsync — ${profile}` : 'Fieldsync';
  }, [profile]);

  return (
    <div className="app">
      <a className="skip-link" href="#todo-pane">
        Skip to todos
      </a>
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
      </header>
      <div className="app-body">
        <Sidebar />
        <TodoPane />
        <aside className="side-panel" aria-label="Sync and messages">
          <SyncPanel />
          <Inspector />
        </aside>
      </div>
      <Toasts />
    </div>
  );
}
