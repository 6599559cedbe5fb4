import { useEffect, useRef, useState } from 'react';
import { APP_NAME, appTitle } from '../app-name.ts';
import { Inspector } from '../components/Inspector.tsx';
import { ReplacedAnnouncer } from '../components/RowNotices.tsx';
import { SyncPanel } from '../components/SyncPanel.tsx';
import { Toasts } from '../components/Toasts.tsx';
import { HostLostBanner } from '../components/HostLostBanner.tsx';
import { useAppStore } from '../store/store-context.ts';
import type { AppView } from '../views/app-view.ts';
import { VIEWS } from '../views/registry.ts';
import { ViewSwitcher } from './ViewSwitcher.tsx';
import { DRAWER, FOLDED_DRAWER } from './drawer-queries.ts';


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
  // Narrow and short (three instances side by side on a laptop): the sync drawer starts folded
  // to its state and switches, so that the todos keep the room. Details unfold it.
  const [details, setDetails] = useState(() => !window.matchMedia?.(FOLDED_DRAWER).matches);
  // A field's history asked for (a notice's History button) shows in the inspector, which the
  // folded drawer hides: the drawer unfolds and brings the inspector up, or the button seems
  // to do nothing (round 64: in npm start's 420 px windows on a laptop, it did).
  const asked = useAppStore((s) => s.inspectorFilter);
  const aside = useRef<HTMLElement>(null);
  // Unfolded in the same render as the ask (React's adjust-on-change pattern), so that the
  // effect below finds the inspector shown.
  const [seenAsk, setSeenAsk] = useState(asked);
  if (asked !== seenAsk) {
    setSeenAsk(asked);
    if (asked !== null) setDetails(true);
  }
  // The window turned narrow and short after the start (zoomed to 150% or 200%, or tiled):
  // the drawer folds, as it starts there, or it leaves the todos a sliver (round 64: ~70 px
  // at 200%). Not with the focus in it: folding would hide the focused control.
  useEffect(() => {
    const query = window.matchMedia?.(FOLDED_DRAWER);
    const onChange = (e: MediaQueryListEvent) => {
      if (e.matches && !aside.current?.contains(document.activeElement)) setDetails(false);
    };
    query?.addEventListener?.('change', onChange);
    return () => query?.removeEventListener?.('change', onChange);
  }, []);
  useEffect(() => {
    if (asked !== null && window.matchMedia?.(DRAWER).matches) aside.current?.querySelector('.inspector')?.scrollIntoView({ block: 'start' });
  }, [asked]);

  // Several instances run side by side: the title tells their windows apart.
  useEffect(() => {
    document.title = appTitle(profile);
  }, [profile]);

  return (
    <div className="app">
      {/* Fixed at the top of the window, and first in the page's order too: a screen reader
          reading the page from the top (as it does once it loads) meets what to do first,
          not after the whole app. It takes no focus: Tab still starts at the skip link. */}
      <HostLostBanner />
      {view && (
        <a className="skip-link" href={`#${view.skipTo.target}`}>
          {view.skipTo.label}
        </a>
      )}
      <header className="app-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          {APP_NAME}
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
        {/* Shown fixed at the bottom, but here in the page's order: Tab reaches a toast (its
            Undo, or a deleted edit's sticky Restore) right after the view, not after the sync
            column's message list and its dozens of buttons. */}
        <Toasts />
        <aside ref={aside} className={`side-panel${details ? '' : ' is-folded'}`} aria-label="Sync and messages">
          <SyncPanel details={{ open: details, onToggle: () => setDetails(!details) }} />
          <Inspector />
        </aside>
      </div>
      <ReplacedAnnouncer />
    </div>
  );
}
