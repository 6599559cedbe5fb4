/**
 * How the memory store (memory-store.ts) keeps messages: its own copies, which share nothing
 * with the caller, and the ring of the latest pulled messages, which keeps their fields in
 * one array rather than an object per message (a pull of a million changes passes through
 * it, and objects are what the garbage collector pays for).
 */
import type { JsonValue } from './message.ts';
import type { StoredMessage } from './store.ts';

/**
 * A copy of a JSON value that shares nothing with the caller: strings, numbers, booleans
 * and null are immutable, so only objects and arrays (rare in a field) are copied deeply.
 */
export const copy = <T>(v: T): T => (v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as T));

/** A message's nine fields, nothing else, with `value` (a copy of its value). */
export const withValue = (m: StoredMessage, value: JsonValue): StoredMessage => ({
  hlc: m.hlc, table: m.table, row: m.row, column: m.column, value,
  local: m.local, synced: m.synced, applied: m.applied, error: m.error,
});

/** A message's own copy: its nine fields, nothing else, and its value copied. */
export const copyMessage = (m: StoredMessage): StoredMessage => withValue(m, copy(m.value));

/** A pulled, applied message from its fields (its flags are always these). */
export const pulledMessage = (hlc: string, table: string, row: string, column: string, value: JsonValue): StoredMessage => ({
  hlc, table, row, column, value, local: false, synced: true, applied: true, error: null,
});

/**
 * The latest `size` pulled messages, by arrival, five fields each in one array. (A class,
 * for the reason memory-rows.ts gives.)
 */
export class PulledRing {
  private readonly size: number;
  private readonly ring: unknown[];
  private count = 0;

  constructor(size: number) {
    this.size = size;
    // Filled, so that its elements kind is final from the start: each store's ring then has
    // the same shape, and the code optimized for one fits the next.
    this.ring = new Array<unknown>(size * 5).fill(undefined);
  }

  /** Keeps a pulled message's fields (`value` already the store's own copy), dropping the oldest once full. */
  add(hlc: string, table: string, row: string, column: string, value: JsonValue): void {
    const ring = this.ring;
    const r = (this.count++ % this.size) * 5;
    ring[r] = hlc;
    ring[r + 1] = table;
    ring[r + 2] = row;
    ring[r + 3] = column;
    ring[r + 4] = value;
  }

  /** Every message in the ring, as messages (in no particular order). */
  all(): StoredMessage[] {
    const ring = this.ring;
    const out: StoredMessage[] = [];
    for (let r = 0; r < ring.length; r += 5) {
      const hlc = ring[r] as string | undefined;
      if (hlc !== undefined) out.push(pulledMessage(hlc, ring[r + 1] as string, ring[r + 2] as string, ring[r + 3] as string, ring[r + 4] as JsonValue));
    }
    return out;
  }
}
