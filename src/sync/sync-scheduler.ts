/**
 * When to sync, and what the UI should show about it. Syncs are triggered by local writes
 * (debounced), an interval, pokes, reconnections of the poke stream and `sync()` calls,
 * and never run two at a time: a trigger during a run asks for one more run after it.
 *
 * Failures: network errors, 5xx, 408 and 429 are retried with exponential backoff and jitter
 * (429's `Retry-After` is honoured); 401 stops automatic syncs until `sync()` is called
 * again, after new credentials, and so does any other permanent failure (`transient` false).
 * While a retry is pending, writes and the interval wait for it, but a poke, a reconnection
 * or `sync()` try at once: the server is evidently back.
 *
 * A closure rather than a class: its state is local variables, which a minifier shortens to
 * a letter each (private fields stay `this.#x`), and the client's bundle is what apps ship.
 */
import { abortController, type Aborter } from './abort.ts';
import { MAX_DELAY_MS, backoffMs } from './backoff.ts';
import { ClosedError, FieldsyncError, NetworkError, RemoteError, describeError } from './errors.ts';
import { reportUncaught } from './listeners.ts';
import type { PokeListener } from './remote.ts';
import { remoteThrew } from './remote-answer.ts';
import type { SyncStatus } from './sync-client-types.ts';
import { runSync, type SyncRunContext } from './sync-run.ts';
import { listenToPage } from './page-events.ts';
import { createPokePace } from './poke-pace.ts';
import type { Reason, SchedulerOptions, SyncScheduler, SyncState, Waiter } from './scheduler-types.ts';

export type { SchedulerOptions, SyncScheduler, SyncState } from './scheduler-types.ts';

const offlineError = (): NetworkError => new NetworkError('the client is offline (setOnline(false))');

export function createScheduler(o: SchedulerOptions): SyncScheduler {
  const remote = o.remote;
  let state: SyncState = remote ? 'idle' : 'offline';
  let error: { code: string; message: string } | null = null;
  let online = true;
  let started = false;
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;
  let abort: Aborter | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerKind: 'debounce' | 'backoff' | null = null;
  let nextRetryAt: number | null = null;
  let failures = 0;
  /** The last run failed for good (see failed()): only sync() or setOnline(true) tries again. */
  let halted = false;
  let interval: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  let streamStopped = false;
  /** The stream's last word was an error: it is down, waiting out its own backoff (or stopped). */
  let streamDown = false;
  let waiters: Waiter[] = [];
  /** Pokes not borne out slow down the syncs pokes ask for (poke-pace.ts). */
  const pace = createPokePace(o);
  let pokeTimer: ReturnType<typeof setTimeout> | null = null;
  const clearPokeTimer = (): void => {
    if (pokeTimer !== null) clearTimeout(pokeTimer);
    pokeTimer = null;
  };

  const status = (): SyncStatus => {
    const c = o.counters;
    const stall = o.stalled();
    return {
      // While a store call stalls, the status says so, as an error: writes wait and syncs cannot finish.
      state: stall ? 'error' : state,
      online,
      clientId: o.clientId,
      pending: c.pending,
      rejected: c.rejected,
      lastSyncAt: c.lastSyncAt,
      cursor: c.cursor,
      error: stall ? describeError(stall) : error,
      nextRetryAt,
    };
  };

  const setState = (next: SyncState, err: { code: string; message: string } | null): void => {
    state = next;
    error = err;
    o.onStatus();
  };

  const clearTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerKind = null;
    nextRetryAt = null;
  };

  const setTimer = (kind: 'debounce' | 'backoff', wanted: number): void => {
    clearTimer();
    // A server may ask for any wait (`Retry-After`): past the timer's limit it would fire at once.
    const ms = Math.min(wanted, MAX_DELAY_MS);
    timerKind = kind;
    nextRetryAt = kind === 'backoff' ? o.now() + ms : null;
    timer = setTimeout(run, ms); // run() clears the timer first
  };

  // What a custom remote's unsubscribe throws reaches no caller (close(), setOnline(false) and
  // a 401 go on without it): reported, typed (until round 56 it cut close() short, raw).
  const stopStream = (): void => {
    const stop = unsubscribe;
    unsubscribe = null;
    try {
      stop?.();
    } catch (err) {
      reportUncaught(remoteThrew(err, 'unsubscribe'));
    }
  };

  /** Takes the waiters of the runs to come: to settle them now, or when a run ends. */
  const takeWaiters = (): Waiter[] => {
    const taken = waiters;
    waiters = [];
    return taken;
  };
  const rejectWaiters = (err: unknown): void => {
    for (const w of takeWaiters()) w.reject(err);
  };

  const subscribe = (): void => {
    if (!remote?.subscribe || unsubscribe || closed) return;
    streamStopped = false;
    streamDown = false;
    const listener: PokeListener = {
      onPoke: (poke) => {
        if (poke.cursor <= o.counters.cursor) return;
        pace.announce(poke.cursor);
        // During a run, the poke waits for its end (see run()): a run asked for at once
        // after each run, a flood of pokes kept the client syncing back to back.
        if (!running) pokeSync();
      },
      onOpen: () => {
        streamDown = false;
        request('reconnect');
      },
      onError: (err) => {
        streamDown = true;
        // The stream retries by itself, except after 401; it restarts after the next good sync.
        // That sync is asked for now: the token expired while the stream was open, and the app
        // learns it at once ('unauthorized'), not at the next interval sync, up to 30 s later,
        // with realtime silently off meanwhile (request() asks nothing once it says so).
        if (err.code === 'unauthorized') {
          streamStopped = true;
          stopStream();
          request('poke');
        }
      },
    };
    try {
      unsubscribe = remote.subscribe(o.clientId, listener);
    } catch (err) {
      // Typed, as its sync()'s: createSyncClient rejects with it (raw until round 56).
      throw remoteThrew(err, 'subscribe()');
    }
  };

  /** A sync for the pokes, now or once their pace allows it; at most one waits. */
  function pokeSync(): void {
    const wait = pace.waitMs();
    if (wait === 0) return void request('poke');
    if (pokeTimer === null) pokeTimer = setTimeout(() => {
      pokeTimer = null;
      request('poke');
    }, wait);
  }

  function run(): void {
    if (!remote || closed) return;
    clearTimer();
    clearPokeTimer();
    again = false;
    const mine = takeWaiters();
    const promised = pace.take();
    let synced = false;
    const controller = abortController();
    abort = controller;
    const ctx: SyncRunContext = { ...o, remote, signal: controller.signal, onProgress: o.onStatus };
    // The run starts a microtask later, once it is recorded as running and 'syncing' is
    // said: a status listener that calls sync() then waits for the run after it. Said first,
    // such a listener started a second run at once (two requests pushing the same messages),
    // and one that syncs while anything is pending recursed until the stack overflowed.
    running = Promise.resolve().then(() => runSync(ctx)).then(
      () => {
        synced = true;
        succeeded(mine);
      },
      (err: unknown) => failed(err, mine, controller.signal.aborted),
    ).catch(
      // Nobody awaits this chain: what the bookkeeping above might throw (an app's `random` or
      // `now` gone wrong, a remote whose subscribe throws) would be an unhandled rejection,
      // which ends a Node process. The waiters are settled first, whatever happens.
      reportUncaught,
    ).finally(() => {
      running = null;
      abort = null;
      pace.judge(promised, synced, o.counters.cursor);
      if (closed || !online) return;
      if (waiters.length > 0 || (again && timerKind === null)) {
        again = false;
        run();
      } else if (pace.ahead(o.counters.cursor)) pokeSync();
    });
    setState('syncing', error);
  }

  const succeeded = (mine: Waiter[]): void => {
    const recovered = failures > 0;
    failures = 0; // no retry is due: run() cleared the timer, and no timer is set while one runs
    halted = false;
    // setOnline(false) during the run (with a remote that finished it despite the abort) set
    // 'offline': the run's end does not undo it. The run did sync, so its waiters resolve.
    setState(online ? 'idle' : 'offline', null);
    const s = status();
    for (const w of mine) w.resolve(s);
    if (streamStopped && online) subscribe();
    else if (recovered && streamDown && online) {
      // The server is back (a sync after failed ones went through) while the stream still
      // sleeps out its own backoff, up to its maxMs: realtime stayed off that long after a
      // server restart, with syncs already fine (round 63, e2e restart-server). Restarted now.
      stopStream();
      subscribe();
    }
  };

  /** `stopped`: setOnline(false) or close() aborted the run; that is no failure to show or retry. */
  const failed = (err: unknown, mine: Waiter[], stopped: boolean): void => {
    // A sync that close() cut short fails as every call after close() does.
    for (const w of mine) w.reject(closed ? new ClosedError() : err);
    // Back online already (setOnline(false), then true, during the run): the run asked for
    // after it (`again`) starts now, instead of an 'error' and a backoff for the abort.
    if (closed || !online || stopped) return;
    // A 401 with Retry-After is a token not valid yet (its issuer's clock runs ahead of the
    // server's): waiting makes it good, so it is retried as a passing failure. Any other 401
    // stops syncing until the app has a new token.
    if (err instanceof RemoteError && err.code === 'unauthorized' && err.retryAfterMs === undefined) {
      again = false;
      setState('unauthorized', describeError(err));
      return;
    }
    const offline = err instanceof FieldsyncError && err.code === 'network'; // a NetworkError, or the sync stopped
    const retryAfter = err instanceof RemoteError ? err.retryAfterMs : undefined;
    // A permanent failure (a 4xx, an answer too large at one message a page) fails the same
    // way each time: retried for ever, it cost the server a request, and the device its
    // battery, every 30 s, for nothing. Syncing stops, as after a 401, until the app calls
    // sync() (or setOnline(true)); the status keeps the error. A server's Retry-After says
    // waiting helps: such a failure is retried, as a 401 with one is.
    halted = err instanceof RemoteError && !err.transient && retryAfter === undefined;
    if (halted) again = false;
    const delay = Math.max(retryAfter ?? 0, backoffMs(failures++, { ...o.retry, random: o.random }));
    // Without autoSync, only `sync()` calls sync: no retries on a timer either.
    if (started && !halted) setTimer('backoff', delay);
    setState(offline ? 'offline' : 'error', describeError(err));
  };

  // In a browser, the page's own news (page-events.ts).
  const onNetworkBack = (): void => request('poke');
  const onShown = (): void => request('interval');

  /**
   * The interval, as a timeout that sets the next one: `setTimeout` is the one timer every
   * runtime has (QuickJS's and the Hermes shell's hosts have no `setInterval`). The next is set
   * first, so that the interval keeps going whatever this one does, as setInterval's did.
   */
  function onInterval(): void {
    if (closed) return;
    interval = setTimeout(onInterval, o.intervalMs);
    request('interval');
  }

  function request(reason: Reason): void {
    if (closed || !remote || !online || !started) return;
    if ((halted || state === 'unauthorized') && reason !== 'online') return;
    if (running) {
      again = true;
      return;
    }
    if (timerKind === 'backoff' && (reason === 'write' || reason === 'interval')) return;
    if (reason === 'write' && o.debounceMs > 0) {
      if (timerKind === null) setTimer('debounce', o.debounceMs);
      return;
    }
    run();
  }

  return {
    status,
    request,

    start() {
      if (started || !remote) return;
      started = true;
      if (o.intervalMs > 0) interval = setTimeout(onInterval, o.intervalMs);
      subscribe();
      listenToPage(true, onNetworkBack, onShown);
      request('online');
    },

    syncNow() {
      if (!remote) return Promise.reject(new FieldsyncError('network', 'no remote is configured'));
      if (!online) return Promise.reject(offlineError());
      return new Promise<SyncStatus>((resolve, reject) => {
        waiters.push({ resolve, reject });
        if (running) again = true;
        else run();
      });
    },

    setOnline(next) {
      if (next === online) return;
      online = next;
      if (!next) {
        clearTimer();
        clearPokeTimer();
        abort?.abort(new Error('offline'));
        stopStream();
        setState('offline', null);
        rejectWaiters(offlineError());
        return;
      }
      failures = 0;
      halted = false;
      setState('idle', null);
      if (started) {
        subscribe();
        request('online');
      }
    },

    async close(reason) {
      closed = true;
      listenToPage(false, onNetworkBack, onShown);
      clearTimer();
      clearPokeTimer();
      if (interval !== null) clearTimeout(interval);
      interval = null;
      stopStream();
      abort?.abort(new Error('closed'));
      await running?.catch(() => {});
      rejectWaiters(reason ?? new ClosedError());
      // The run close() stopped said nothing when it ended: the status no longer says 'syncing'.
      // Stopped for a reason (another client took the store over), the status says it.
      if (reason) setState('error', describeError(reason));
      else if (state === 'syncing') setState('idle', error);
    },
  };
}
