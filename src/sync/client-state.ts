/**
 * Opening a client: read what the store holds (or start fresh), restore the identity, the
 * cursor and the clock, and re-examine kept messages when the schema changed (its version, or
 * the tables and columns it declares), so that data written by a newer app version is applied
 * as soon as this app knows its columns.
 * The store is the guarded one (store-guard.ts): what it throws is a StoreError already, and
 * what `open()` returns has been checked against the contract.
 */
import { StoreError } from './errors.ts';
import { CLIENT_ID_PATTERN, withClientId } from './hlc.ts';
import { HybridClock } from './hybrid-clock.ts';
import { cellsOf, planMerge } from './merge.ts';
import { messageOf } from './message.ts';
import { DEFAULT_MAX_DRIFT_MS } from './protocol.ts';
import type { Schema } from './schema.ts';
import { META, unpushed, type CellWrite, type Commit, type MessageUpdate, type StoreState, type SyncStore } from './store.ts';
import { createCounters, type SyncCounters } from './sync-counters.ts';

export interface OpenedState {
  readonly clientId: string;
  /** The clock, after the greatest timestamp the store holds, with the correction it saved. */
  readonly clock: HybridClock;
  readonly counters: SyncCounters;
}

/**
 * The clientId character of `b` (0 to 63): A-Z, a-z, 0-9, then `_` and `-`. Computed, not
 * looked up in the 64 characters written out: what each app ships is the bundle.
 */
const idChar = (b: number): string => String.fromCharCode(b < 26 ? b + 65 : b < 52 ? b + 71 : b < 62 ? b - 4 : b === 62 ? 95 : 45);

/** A random clientId of 16 characters (96 bits), from `crypto` where the runtime has it. */
export function newClientId(random: () => number): string {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  // A Uint8Array keeps the integer part of what is stored in it: random() * 256 is a byte.
  const bytes = typeof c?.getRandomValues === 'function' && random === Math.random
    ? c.getRandomValues(new Uint8Array(16))
    : new Uint8Array(16).map(() => random() * 256);
  let id = '';
  for (const b of bytes) id += idChar(b & 63);
  return id;
}

/** The clientId the store holds (checked), or undefined for a store no client has opened yet. */
export function storedClientId(state: StoreState): string | undefined {
  const clientId = state.meta[META.clientId];
  if (clientId !== undefined && !CLIENT_ID_PATTERN.test(clientId)) throw new StoreError('the store holds an invalid clientId');
  return clientId;
}

/**
 * An integer the store's meta holds under `key`, 0 when it holds none. With `natural`, one from
 * 0 (a cursor: a negative one opened, and the server refused every request after it).
 */
function readInt(meta: Readonly<Record<string, string>>, key: string, natural?: boolean): number {
  const raw = meta[key];
  if (raw === undefined) return 0;
  const n = Number(raw);
  // Number('') and Number(' 1') would read as numbers: only plain decimal integers are ones.
  if (!(natural ? /^\d+$/ : /^-?\d+$/).test(raw) || !Number.isSafeInteger(n)) throw new StoreError(`the store holds an invalid ${key}: ${raw.slice(0, 40)}`);
  return n;
}

/**
 * The commit that gives a store without a clientId its new one. What such a store had not
 * pushed (a copy made a device of its own, docs/api.md) is stamped with the clientId it had,
 * under which the server takes nothing from this device (an hlc ends with its sender's
 * clientId): it would all be refused and set aside. It becomes this device's, in the same
 * commit: each message keeps its time and counter, so its place among every device's
 * messages, and gets the new clientId; the cells it wins are written with its new hlc. The
 * set-aside ones go with them, so that every unpushed message of the store is this device's.
 */
export async function clientIdCommit(schema: Schema, store: SyncStore, state: StoreState, clientId: string): Promise<Commit> {
  const meta = { [META.clientId]: clientId };
  // Nothing to push: a new store (no call more for it), or one whose set-aside messages, never pushed, may keep their clientId.
  if (state.pendingCount === 0) return { meta };
  const old = await unpushed(store);
  const renamed = new Map(old.map((m) => [m.hlc, { ...m, hlc: withClientId(m.hlc, clientId) }]));
  const winners = await store.winners(cellsOf(schema, old));
  const writes: CellWrite[] = [];
  for (const hlc of winners.values()) {
    const m = renamed.get(hlc);
    if (m) writes.push(messageOf(m));
  }
  return { remove: [...renamed.keys()], insert: [...renamed.values()], writes, meta };
}

/** The tables and columns a schema declares, with what decides whether a value fits, as text. */
const schemaShape = (schema: Schema): string =>
  JSON.stringify([...schema.tables.values()].map((t) => [t.name, [...t.columns].map(([c, d]) => [c, d.type, d.nullable, d.maxLength])]));

/**
 * Restores the client from `state`, what the store's `open()` answered. It runs before the
 * client exists, and once the client has the store to itself where the store needs that
 * (client-lock.ts): its commits land over nobody's.
 */
export async function openClientState(
  schema: Schema,
  store: SyncStore,
  state: StoreState,
  random: () => number,
  now: () => number,
  monotonic?: () => number,
): Promise<OpenedState> {
  const stored = storedClientId(state);
  if (stored !== undefined) return restore(schema, store, state, stored, now, monotonic);
  const made = newClientId(random);
  try {
    return await restore(schema, store, state, made, now, monotonic);
  } catch (err) {
    // A store several connections share (one SQLite file, two processes opened at once) may
    // have been given another clientId since it was read: its commit that gives it this one
    // is refused (docs/api.md, `transact`), and this client is that other one's too. Two
    // clientIds on one store stamped the writes of one of them with an id the store no
    // longer has, and the server refused them all.
    const again = await store.open(schema);
    const held = storedClientId(again);
    if (held === undefined || held === made) throw err;
    return restore(schema, store, again, made, now, monotonic);
  }
}

/** openClientState, `made` the clientId the store gets when `state` has none. */
async function restore(
  schema: Schema,
  store: SyncStore,
  state: StoreState,
  made: string,
  now: () => number,
  monotonic?: () => number,
): Promise<OpenedState> {
  const meta = state.meta;
  const metaUpdates: Record<string, string> = {};
  let clientId = storedClientId(state);
  const rejected = await store.messages({ kind: 'rejected' });
  if (clientId === undefined) {
    clientId = made;
    // Nothing unpushed (a new store, the usual case): the clientId goes with the commit below.
    if (state.pendingCount === 0) metaUpdates[META.clientId] = clientId;
    else await store.commit(await clientIdCommit(schema, store, state, clientId));
  }
  const counters = createCounters({
    cursor: readInt(meta, META.cursor, true),
    epoch: meta[META.epoch] ?? '',
    pending: state.pendingCount,
    rejected: rejected.length,
    lastSyncAt: meta[META.lastSyncAt] === undefined ? null : readInt(meta, META.lastSyncAt),
  });
  const update: MessageUpdate[] = [];
  let writes: ReturnType<typeof planMerge>['writes'] = [];
  // The version, and what it declares: an app that added a column and forgot to bump the
  // version would otherwise never apply what other devices wrote to it before.
  const shape = schemaShape(schema);
  if (meta[META.schemaVersion] !== String(schema.version) || meta[META.schemaShape] !== shape) {
    const kept = await store.messages({ kind: 'unapplied' });
    if (kept.length > 0) {
      const plan = planMerge(schema, kept, await store.winners(cellsOf(schema, kept)));
      kept.forEach((m, i) => {
        const problem = plan.problems[i] ?? null;
        if (problem === null) update.push({ hlc: m.hlc, applied: true, error: null });
        else if (problem !== m.error) update.push({ hlc: m.hlc, error: problem });
      });
      // No change event for the rows this applies: nobody can listen yet (the client does
      // not exist), and an app reads its data after opening anyway.
      writes = plan.writes;
    }
    metaUpdates[META.schemaVersion] = String(schema.version);
    metaUpdates[META.schemaShape] = shape;
  }
  if (Object.keys(metaUpdates).length > 0 || update.length > 0) await store.commit({ update, writes, meta: metaUpdates });
  // A saved correction for a clock that ran ahead by more than the server's drift limit is not
  // kept: the clock may have been put right since (NTP, at boot), and the old correction would
  // stamp every write in the past, to lose silently until the next sync. Dropped, a clock still
  // that far ahead stamps writes the server refuses (`clock_drift`), and the repair moves them
  // back to when they were made. A smaller one is kept: dropped, a clock still ahead would
  // stamp writes ahead that the server takes, beating later writes of other devices. So is a
  // correction for a clock that runs behind: dropped, it would stamp writes in the past.
  const saved = readInt(meta, META.clockOffset);
  const offsetMs = saved < -DEFAULT_MAX_DRIFT_MS ? 0 : saved;
  const clock = new HybridClock({ clientId, now, offsetMs, last: state.maxHlc, ...(monotonic ? { monotonic } : {}) });
  return { clientId, clock, counters };
}
