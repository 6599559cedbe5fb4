/**
 * createSyncClient's options, checked: the whole object at once (typed errors naming the
 * option); the `now` and `random` functions at each answer (backoff.ts, `checked`).
 */
import { backoffError, delayError } from './backoff.ts';
import { invalidArgument } from './errors.ts';
import { optionsError } from './option-keys.ts';
import { isSchema } from './schema.ts';
import type { SyncStore } from './store.ts';
import type { SyncClientOptions } from './sync-client-types.ts';

export function checkOptions(o: SyncClientOptions): void {
  const bad = (why: string): never => {
    throw invalidArgument(`createSyncClient: ${why}`);
  };
  const why = optionsError(o, OPTION_KEYS);
  if (why) bad(why);
  if (!isSchema(o.schema)) bad('schema must come from defineSchema()');
  const store = o.store as Partial<SyncStore> | undefined;
  for (const fn of ['open', 'winners', 'messages', 'commit'] as const) {
    if (typeof store?.[fn] !== 'function') bad(`store must implement ${fn}() (see the store contract)`);
  }
  if (o.remote !== undefined && typeof o.remote?.sync !== 'function') bad('remote must implement sync()');
  if (o.remote?.subscribe !== undefined && typeof o.remote.subscribe !== 'function') bad('remote.subscribe must be a function');
  for (const key of ['pushBatchSize', 'pullLimit', 'maxRequestBytes'] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) bad(`${key} must be a number >= 0`);
  }
  const delay = delayError('debounceMs', o.debounceMs, 0) ?? delayError('intervalMs', o.intervalMs, 0) ?? delayError('storeStallMs', o.storeStallMs, 1) ?? backoffError('retry', o.retry);
  if (delay !== null) bad(delay);
  if (o.device !== undefined && typeof o.device !== 'function') bad(FROM_DEVICE_NAMES);
  for (const key of ['now', 'random'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') bad(`${key} must be a function`);
  }
  // `autoSync: 'no'` was truthy, so on: a flag that is not a boolean is a mistake somewhere.
  if (o.autoSync !== undefined && typeof o.autoSync !== 'boolean') bad('autoSync must be true or false');
}

/** What the `device` option must be: checked here (a function), and what it gives when called (sync-client.ts). */
export const FROM_DEVICE_NAMES = 'device must come from deviceNames({ name, table? })';

/** The latest time a Date holds (ms): a clock past it is no clock. */
export const MAX_DATE_MS = 8.64e15;

/** Every key of SyncClientOptions (the type makes the list complete): any other is refused. */
const OPTION_KEYS = {
  schema: 0, store: 0, remote: 0, debounceMs: 0, intervalMs: 0, retry: 0, pushBatchSize: 0, pullLimit: 0,
  maxRequestBytes: 0, autoSync: 0, now: 0, random: 0, device: 0, storeStallMs: 0,
} satisfies Record<keyof SyncClientOptions, 0>;

export function clamp(n: number, min: number, max: number): number {
  if (!Number.isFinite(n)) throw invalidArgument(`expected a number from ${min} to ${max}`);
  return Math.min(max, Math.max(min, Math.floor(n)));
}
