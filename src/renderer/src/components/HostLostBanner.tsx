import { HOST_GONE_CODE, HOST_LOST_CODE } from '../lib/sync-label.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';

/**
 * The page lost its connection to its instance (the browser host stopped or restarted): the
 * screen still shows the last data and everything looks usable, so say so at the top of the
 * page, until the page is back (it reconnects by itself and re-reads everything). When it
 * will not be back (the host was restarted and forgot this page's session, what answers at
 * its address is not its host, or nothing has answered there for a while), say that plainly,
 * with what to do.
 */
export function HostLostBanner() {
  const error = useAppStore((s) => s.sync?.error ?? null);
  // A user's action that failed since (Enter in New list) makes it say it again: its words
  // change by a trailing no-break space, as an alert's must to be said again.
  const repeats = useAppStore((s) => s.stoppedRepeats);
  if (error?.code === HOST_GONE_CODE) {
    return (
      <div className="host-lost" role="alert" data-testid="host-gone">
        <Icon name="alert" />
        <span>
          {error.message}
          {repeats % 2 === 1 ? '\u00a0' : ''}
        </span>
      </div>
    );
  }
  const lost = error?.code === HOST_LOST_CODE;
  if (!lost) return null;
  return (
    <div className="host-lost" role="alert" data-testid="host-lost">
      <Icon name="alert" />
      <span>Lost the connection to this instance. Reconnecting… What is on screen may be out of date, and changes you make wait until it is back.</span>
    </div>
  );
}
