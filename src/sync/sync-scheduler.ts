/**
 * When to sync, and what the UI should show about it. Syncs are triggered by local writes
 * (debounced), an interval, pokes, reconnections of the poke stream and `sync()` calls,
 * and never run two at a time: a trigger during a run asks for one more run after it.
 *
 * Failures: network errors, 5xx and 429 are retried with exponential backoff and jitter
 * (429's `Retry-After` is honoured); 401 stops automatic syncs until `sync()` is called
 * again, after new credentials. While a retry is pending, writes and the interval wait for
 * it, but a poke, a reconnection or `sync()` try at once: the server is evidently back.
 */
import { backoffDelay } from './backoff.ts';
import { ClosedError, FieldsyncError, NetworkError, RemoteError, describeError } from './errors.ts';
import type { SyncStatus } from './sync-client.ts';
import { runSync, type SyncRunContext } from './sync-run.ts';

export type SyncState = 'idle' | 'syncing' | 'offline' | 'error' | 'unauthorized';
type Reason = 'write' | 'interval' | 'poke' | 'reconnect' | 'online' | 'again';

export interface SchedulerOptions extends Omit<SyncRunContext, 'signal' | 'onProgress' | 'remote'> {
  readonly remote: SyncRunContext['remote'] | undefined;
  readonly debounceMs: number;
  readonly intervalMs: number;
  readonly retry: { readonly initialMs?: number; readonly maxMs?: number };
  readonly random: () => number;
  readonly onStatus: () => void;
}

const offlineError = (): NetworkError => new NetworkError('the client is offline (setOnline(false))');

interface Waiter {
  resolve(status: SyncStatus): void;
  reject(err: unknown): void;
}

export class SyncScheduler {
  readonly #o: SchedulerOptions;
  #state: SyncState;
  #error: { code: string; message: string } | null = null;
  #online = true;
  #started = false;
  #closed = false;
  #running: Promise<void> | null = null;
  #again = false;
  #abort: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerKind: 'debounce' | 'backoff' | null = null;
  #nextRetryAt: number | null = null;
  #failures = 0;
  #interval: ReturnType<typeof setInterval> | null = null;
  #unsubscribe: (() => void) | null = null;
  #streamStopped = false;
  #waiters: Waiter[] = [];

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#state = options.remote ? 'idle' : 'offline';
  }

  status(): SyncStatus {
    const c = this.#o.counters;
    return {
      state: this.#state,
      online: this.#online,
      clientId: this.#o.clientId,
      pending: c.pending,
      rejected: c.rejected,
      lastSyncAt: c.lastSyncAt,
      cursor: c.cursor,
      error: this.#error,
      nextRetryAt: this.#nextRetryAt,
    };
  }

  start(): void {
    if (this.#started || !this.#o.remote) return;
    this.#started = true;
    if (this.#o.intervalMs > 0) this.#interval = setInterval(() => this.request('interval'), this.#o.intervalMs);
    this.#subscribe();
    this.request('online');
  }

  request(reason: Reason): void {
    if (this.#closed || !this.#o.remote || !this.#online || !this.#started) return;
    if (this.#state === 'unauthorized' && reason !== 'online') return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timerKind === 'backoff' && (reason === 'write' || reason === 'interval')) return;
    if (reason === 'write' && this.#o.debounceMs > 0) {
      if (this.#timerKind === null) this.#setTimer('debounce', this.#o.debounceMs, () => this.#run());
      return;
    }
    this.#run();
  }

  syncNow(): Promise<SyncStatus> {
    if (!this.#o.remote) return Promise.reject(new FieldsyncError('network', 'no remote is configured'));
    if (!this.#online) return Promise.reject(offlineError());
    return new Promise<SyncStatus>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (this.#running) this.#again = true;
      else this.#run();
    });
  }

  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    if (!online) {
      this.#clearTimer();
      this.#abort?.abort(new Error('offline'));
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      this.#setState('offline', null);
      this.#settleWaiters(offlineError());
      return;
    }
    this.#failures = 0;
    this.#setState('idle', null);
    if (this.#started) {
      this.#subscribe();
      this.request('online');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    if (this.#interval !== null) clearInterval(this.#interval);
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#abort?.abort(new Error('closed'));
    await this.#running?.catch(() => {});
    this.#settleWaiters(new ClosedError());
  }

  #subscribe(): void {
    const remote = this.#o.remote;
    if (!remote?.subscribe || this.#unsubscribe || this.#closed) return;
    this.#streamStopped = false;
    this.#unsubscribe = remote.subscribe(this.#o.clientId, {
      onPoke: (poke) => {
        if (poke.cursor > this.#o.counters.cursor) this.request('poke');
      },
      onOpen: () => this.request('reconnect'),
      onError: (err) => {
        // The stream retries by itself, except after 401; it restarts after the next good sync.
        if (err.code === 'unauthorized') {
          this.#streamStopped = true;
          this.#unsubscribe?.();
          this.#unsubscribe = null;
        }
      },
    });
  }

  #run(): void {
    const remote = this.#o.remote;
    if (!remote || this.#closed) return;
    this.#clearTimer();
    this.#again = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    const abort = new AbortController();
    this.#abort = abort;
    this.#setState('syncing', this.#error);
    const ctx: SyncRunContext = { ...this.#o, remote, signal: abort.signal, onProgress: () => this.#o.onStatus() };
    this.#running = runSync(ctx).then(
      () => this.#succeeded(waiters),
      (err: unknown) => this.#failed(err, waiters),
    ).finally(() => {
      this.#running = null;
      this.#abort = null;
      if (this.#closed || !this.#online) return;
      if (this.#waiters.length > 0 || (this.#again && this.#timerKind === null)) {
        this.#again = false;
        this.#run();
      }
    });
  }

  #succeeded(waiters: Waiter[]): void {
    this.#failures = 0;
    this.#nextRetryAt = null;
    this.#setState('idle', null);
    if (this.#streamStopped && this.#online) this.#subscribe();
    const status = this.status();
    for (const w of waiters) w.resolve(status);
  }

  #failed(err: unknown, waiters: Waiter[]): void {
    for (const w of waiters) w.reject(err);
    if (this.#closed || !this.#online) return;
    if (err instanceof RemoteError && err.code === 'unauthorized') {
      this.#again = false;
      this.#setState('unauthorized', describeError(err));
      return;
    }
    const offline = err instanceof NetworkError || (err instanceof FieldsyncError && err.code === 'network');
    const retryAfter = err instanceof RemoteError ? (err.retryAfterMs ?? 0) : 0;
    const delay = Math.max(retryAfter, backoffDelay(this.#failures++, { ...this.#o.retry, random: this.#o.random }));
    // Without autoSync, only `sync()` calls sync: no retries on a timer either.
    if (this.#started) this.#setTimer('backoff', delay, () => this.#run());
    this.#setState(offline ? 'offline' : 'error', describeError(err));
  }

  #setState(state: SyncState, error: { code: string; message: string } | null): void {
    this.#state = state;
    this.#error = error;
    this.#o.onStatus();
  }

  #setTimer(kind: 'debounce' | 'backoff', ms: number, fn: () => void): void {
    this.#clearTimer();
    this.#timerKind = kind;
    this.#nextRetryAt = kind === 'backoff' ? this.#o.now() + ms : null;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerKind = null;
      fn();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerKind = null;
    this.#nextRetryAt = null;
  }

  #settleWaiters(err: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
