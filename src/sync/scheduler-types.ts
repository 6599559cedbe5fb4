/**
 * The scheduler's types (sync-scheduler.ts): what the client gives it and gets back. Apart,
 * so that the scheduler's file holds its behaviour alone.
 */
import type { FieldsyncError } from './errors.ts';
import type { SyncStatus } from './sync-client-types.ts';
import type { SyncRunContext } from './sync-run.ts';

export type SyncState = 'idle' | 'syncing' | 'offline' | 'error' | 'unauthorized';
export type Reason = 'write' | 'interval' | 'poke' | 'reconnect' | 'online' | 'again';

export interface SchedulerOptions extends Omit<SyncRunContext, 'signal' | 'onProgress' | 'remote'> {
  readonly remote: SyncRunContext['remote'] | undefined;
  readonly debounceMs: number;
  readonly intervalMs: number;
  readonly retry: { readonly initialMs?: number; readonly maxMs?: number };
  readonly random: () => number;
  readonly onStatus: () => void;
  /** A store call that has not settled in time (store-stall.ts): the status shows it over the sync's own. */
  readonly stalled: () => FieldsyncError | null;
}

export interface SyncScheduler {
  status(): SyncStatus;
  start(): void;
  request(reason: Reason): void;
  syncNow(): Promise<SyncStatus>;
  setOnline(online: boolean): void;
  /** Stops for good; with a reason, the status shows it and waiting syncs fail with it. */
  close(reason?: FieldsyncError): Promise<void>;
}

/** A `sync()` call waiting for the run that serves it. */
export interface Waiter {
  resolve(status: SyncStatus): void;
  reject(err: unknown): void;
}
