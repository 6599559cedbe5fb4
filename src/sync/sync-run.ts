/**
 * One sync run: push the unsynced messages and pull what other clients wrote, page after
 * page, until nothing is left on either side. Each answered round trip is committed in one
 * store transaction (new messages, winners, pushed flags, cursor), so a crash at any point
 * leaves the store consistent and at worst repeats a round trip the server deduplicates.
 *
 * The answers that are about a single message are handled here and the run goes on:
 * `invalid_message` sets that message aside; `clock_drift` corrects the clock and re-stamps
 * the messages the server could not have accepted; `payload_too_large` halves the request,
 * down to one message, and sets aside a message too large to be sent alone.
 */
import { FieldsyncError, RemoteError, badAnswer } from './errors.ts';
import type { HybridClock } from './hybrid-clock.ts';
import { isPulledPage } from './columns-page.ts';
import { messageOf, type Message } from './message.ts';
import { cellsOf, planMerge } from './merge.ts';
import type { SyncRequest, SyncResponse } from './protocol.ts';
import type { Remote } from './remote.ts';
import type { Schema } from './schema.ts';
import type { Serial } from './serial.ts';
import { META, type StoredMessage } from './store.ts';
import { droppedMessages, type GuardedStore } from './store-guard.ts';
import { checkedAnswer, remoteThrew } from './remote-answer.ts';
import { rejectMessage, restampFrom, restampTaken, restartHistory } from './repair.ts';
import type { SyncCounters } from './sync-counters.ts';
import { replacedCells, reportReplaced, type ReplacedCell } from './replaced-cells.ts';
import { REQUEST_OVERHEAD, takeWithin } from './request-size.ts';

export interface SyncRunContext {
  readonly schema: Schema;
  readonly store: GuardedStore;
  readonly remote: Remote;
  readonly clock: HybridClock;
  readonly lock: Serial;
  readonly clientId: string;
  readonly signal: AbortSignal;
  /** The local physical clock, without correction. */
  readonly now: () => number;
  readonly pushBatchSize: number;
  readonly pullLimit: number;
  readonly maxRequestBytes: number;
  /** A smaller request size the server (or a proxy in front of it) taught with 413s: see runSync. */
  readonly learntLimit: { bytes: number; at: number } | null;
  /** Keeps what a run learnt for the runs after it. */
  readonly learnLimit: (limit: { bytes: number; at: number }) => void;
  readonly counters: SyncCounters;
  /** Data changed: by pulled messages (`remote`) or by a local message set aside (`local`). */
  readonly onChange: (source: 'local' | 'remote', changes: Readonly<Record<string, string[]>>) => void;
  /** Counters changed. */
  readonly onProgress: () => void;
  /** Whether anyone listens for replaced cells: only then are previous values read. */
  readonly wantsReplaced: () => boolean;
  /** Pulled messages replaced these cells' values (after their commit). */
  readonly onReplaced: (cells: readonly ReplacedCell[]) => void;
}

/** A correction smaller than this is network noise, not a wrong clock. */
const CLOCK_TOLERANCE_MS = 1000;
const MAX_DRIFT_REPAIRS = 3;
const MAX_IDLE_ROUNDS = 5;
const MAX_RESTARTS = 3;

/** How long a request size learnt from 413s is kept before the configured one is tried again. */
const LEARNT_LIMIT_MS = 3_600_000;

export async function runSync(ctx: SyncRunContext): Promise<void> {
  // A proxy's smaller body limit (nginx's 1 MB against a client set to 4 MiB) is learnt by
  // halving after 413s: kept for an hour, so that each run does not upload the too-large
  // requests again first (8.6 MB sent for 3.4 MB of messages, every run).
  const learnt = ctx.learntLimit;
  let maxBytes = learnt !== null && Math.abs(ctx.now() - learnt.at) < LEARNT_LIMIT_MS ? Math.min(learnt.bytes, ctx.maxRequestBytes) : ctx.maxRequestBytes;
  let driftRepairs = 0;
  let idleRounds = 0;
  let restarts = 0;
  for (;;) {
    throwIfStopped(ctx);
    // What the client counts, read with the store's answer (a local write may follow at once).
    let counted = 0;
    const pending = await ctx.lock.run(() => ((counted = ctx.counters.pending), ctx.store.messages({ kind: 'pending', limit: ctx.pushBatchSize })));
    if (ctx.store.alone && pending.length < Math.min(counted, ctx.pushBatchSize)) {
      // A store that dropped messages (droppedMessages): said once, and the count is made what
      // the store holds, so that the next sync pushes what it kept and status.pending is true.
      ctx.counters.wrote(pending.length - counted);
      throw droppedMessages(pending.length, counted);
    }
    const [batch, batchBytes] = takeWithin(pending, maxBytes);
    const sentCursor = ctx.counters.cursor;
    let response: SyncResponse;
    let restarted: boolean;
    try {
      [response, restarted] = await round(ctx, batch);
    } catch (err) {
      if (!(err instanceof RemoteError) || ctx.signal.aborted) throw err;
      const culprit = batch.find((_, i) => i === err.index);
      if (err.code === 'invalid_message' && culprit) {
        await ctx.lock.run(() => rejectMessage(ctx, culprit, err.message));
        continue;
      }
      if (err.code === 'clock_drift' && culprit && driftRepairs++ < MAX_DRIFT_REPAIRS) {
        // The server's clock comes with the error; a server that leaves it out is asked
        // once more with nothing to push, and its answer's serverTime is used instead.
        const serverTime = err.serverTime ?? Date.parse((await round(ctx, []))[0].serverTime);
        const before = ctx.clock.offsetMs;
        ctx.clock.setOffset(serverTime - ctx.now());
        // A repair that did not help: the clock was pulled ahead by a message the server took
        // under a looser limit (repair.ts), and starts again from the server's clock.
        await ctx.lock.run(() => restampFrom(ctx, culprit.hlc, driftRepairs > 1 ? serverTime : null, ctx.clock.offsetMs - before));
        continue;
      }
      if (err.code === 'payload_too_large' && batch.length > 0) {
        if (batch.length > 1) {
          // Halve the request's messages, down to a single message if need be.
          maxBytes = REQUEST_OVERHEAD + Math.floor((batchBytes - REQUEST_OVERHEAD) / 2);
          ctx.learnLimit({ bytes: maxBytes, at: ctx.now() });
          continue;
        }
        // A proxy's own 413 page (`foreign`) at one message is no word of the server's: a
        // proxy answering 413 to everything (a WAF in an incident, a hostile one) had every
        // pending message set aside, one request each, in one run that then ended 'idle'
        // (round 64). Thrown instead: passing, retried with backoff, shown in `status`.
        if (err.foreign) throw err;
        // One message that the server's own limit refuses: set aside, visibly, so the rest go on.
        const alone = batch[0] as StoredMessage;
        await ctx.lock.run(() => rejectMessage(ctx, alone, `payload_too_large: the message alone is over the server's request size limit (${err.message})`));
        continue;
      }
      throw err;
    }
    if (restarted) {
      // The server's log is not the one the cursor belongs to: the run starts over with it.
      if (++restarts > MAX_RESTARTS) throw badAnswer('the server keeps changing its epoch');
      continue;
    }
    // Re-stamped messages (restampTaken) are pending again, and pushed in this run.
    const morePending = batch.length < pending.length || pending.length >= ctx.pushBatchSize || restamped.delete(ctx.counters);
    if (!response.more && !morePending) return;
    // A server that keeps saying `more` without moving the cursor or sending anything would
    // keep this loop spinning: a few such rounds in a row are an error, retried later.
    // (An answer with messages always moves the cursor: their ids are after the cursor sent.)
    idleRounds = batch.length === 0 && response.cursor <= sentCursor ? idleRounds + 1 : 0;
    if (idleRounds >= MAX_IDLE_ROUNDS) {
      throw badAnswer('the server keeps answering `more: true` without progress');
    }
  }
}

/** A run that setOnline(false) or close() stopped ends, as a network failure, before its next request. */
function throwIfStopped(ctx: SyncRunContext): void {
  if (ctx.signal.aborted) throw new FieldsyncError('network', 'the sync was stopped');
}

/**
 * One round trip: sends `batch` and commits the answer. True with it when the answer was
 * from another epoch than the cursor's, and the client starts over instead (commitResponse).
 */
async function round(ctx: SyncRunContext, batch: readonly StoredMessage[]): Promise<[SyncResponse, boolean]> {
  // Stopped while the store read what to push (a close() that gave up on that read: nothing
  // it starts after may reach the server, or a later client would push the same messages again).
  throwIfStopped(ctx);
  const sentAt = ctx.now();
  let answer: unknown;
  try {
    answer = await ctx.remote.sync(request(ctx, batch.map(messageOf)), { signal: ctx.signal });
  } catch (err) {
    throw ctx.signal.aborted ? err : remoteThrew(err);
  }
  const response = checkedAnswer(answer);
  if (response.accepted !== batch.length) {
    throw badAnswer(`the server accepted ${response.accepted} of ${batch.length} messages`);
  }
  const offset = learnOffset(ctx.clock.offsetMs, Date.parse(response.serverTime), sentAt, ctx.now());
  if (await ctx.lock.run(() => commitResponse(ctx, response, batch, offset))) return [response, true];
  // Follow-on pages: each its own commit, as if it answered a pull from the page before, so
  // that local writes go on between them. A stopped run leaves the rest to the next one.
  let last = response;
  for (const page of response.next ?? []) {
    if (ctx.signal.aborted) break;
    last = { ...response, ...page, accepted: 0 };
    await ctx.lock.run(() => commitResponse(ctx, last, [], null));
  }
  if (!last.more) {
    ownPulled.add(ctx.counters);
    ownPushes.delete(ctx.counters);
  }
  return [last, false];
}

/**
 * The clients (by their counters, one per client) whose first pull since they opened is done.
 * Until it is, each request asks for the client's own messages too (`own`, docs/protocol.md
 * "Own messages"): a store restored from a backup, or that lost its `-wal`, no longer has the
 * writes it made and pushed after it, and the server sends no client its own otherwise. Those
 * it still has come back as any message pulled twice does: the merge finds them no newer than
 * their cells, and the store keeps each hlc once (the store contract).
 */
const ownPulled = new WeakSet<SyncCounters>();

/**
 * What each client (by its counters) pushed in the requests of that first pull, by hlc, until
 * it is done: a message of its own that a later page brings back with one of these hlcs and
 * other content is a lost write the server kept in its stead (restampTaken).
 */
const ownPushes = new WeakMap<SyncCounters, Map<string, StoredMessage>>();

/** The clients whose run re-stamped messages in its last round trip: it goes on to push them. */
const restamped = new WeakSet<SyncCounters>();

/** A request from the current cursor (and the epoch it belongs to, once known). */
function request(ctx: SyncRunContext, messages: Message[]): SyncRequest {
  const epoch = ctx.counters.epoch;
  return {
    clientId: ctx.clientId, cursor: ctx.counters.cursor, limit: ctx.pullLimit, messages,
    ...(epoch !== '' ? { epoch } : {}),
    ...(ownPulled.has(ctx.counters) ? {} : { own: true }),
  };
}

/**
 * Whether an answer of `epoch`, another than the client's, makes it start over. A client with
 * an epoch does. One without an epoch adopts the first it gets, unless its cursor is past 0:
 * then it kept a cursor without its epoch (a store written before epochs), which may belong
 * to a log this server no longer has, and only starting over cannot miss a message.
 */
function startsOver(c: { readonly epoch: string; readonly cursor: number }, epoch: string): boolean {
  return c.epoch !== '' || (c.cursor > 0 && epoch !== '');
}

/**
 * Commits an answer: its messages, their winners, the pushed flags and the new cursor, in
 * one store commit. An answer from another epoch than the cursor's is not applied: the
 * client starts over with that epoch instead (see restartHistory), and this returns true.
 */
async function commitResponse(ctx: SyncRunContext, response: SyncResponse, pushed: readonly StoredMessage[], offset: number | null): Promise<boolean> {
  if (response.epoch !== undefined && response.epoch !== ctx.counters.epoch && startsOver(ctx.counters, response.epoch)) {
    await restartHistory(ctx, response.epoch);
    return true;
  }
  const incoming = response.messages;
  let synced = pushed;
  if (!ownPulled.has(ctx.counters)) {
    const before = ownPushes.get(ctx.counters) ?? new Map<string, StoredMessage>();
    ownPushes.set(ctx.counters, before);
    const taken = await restampTaken(ctx, incoming, before);
    if (taken.size > 0) {
      synced = pushed.filter((m) => !taken.has(m.hlc));
      restamped.add(ctx.counters);
    }
    for (const m of synced) before.set(m.hlc, m);
  }
  const winners = incoming.length > 0 ? await ctx.store.winners(cellsOf(ctx.schema, incoming)) : new Map<string, string>();
  const plan = planMerge(ctx.schema, incoming, winners);
  const replaced = ctx.wantsReplaced() ? await replacedCells(ctx.store, plan.writes, winners) : [];
  if (plan.maxHlc !== null) ctx.clock.receive(plan.maxHlc);
  if (offset !== null) ctx.clock.setOffset(offset);
  // A page the library's remote decoded is made of the objects the store keeps (PulledMessage,
  // columns-page.ts): each is handed on as it is, but for one the merge sets aside.
  const ready = isPulledPage(incoming);
  const insert: StoredMessage[] = incoming.map((m, i) => ready && plan.problems[i] === null ? m as StoredMessage : ({
    hlc: m.hlc,
    table: m.table,
    row: m.row,
    column: m.column,
    value: m.value,
    local: false,
    synced: true,
    applied: plan.problems[i] === null,
    error: plan.problems[i] ?? null,
  }));
  const c = ctx.counters;
  await c.commit(ctx.store, {
    insert,
    update: synced.map((m) => ({ hlc: m.hlc, synced: true })),
    writes: plan.writes,
    meta: offset !== null ? { [META.clockOffset]: String(offset) } : {},
  }, {
    // The cursor never goes backwards; the pushed messages no longer count as pending.
    cursor: Math.max(c.cursor, response.cursor),
    epoch: response.epoch ?? c.epoch,
    lastSyncAt: ctx.now(),
    pending: Math.max(0, c.pending - synced.length),
  });
  if (plan.writes.length > 0) ctx.onChange('remote', plan.changes);
  if (replaced.length > 0) await reportReplaced(ctx, replaced);
  ctx.onProgress();
  return false;
}

/**
 * The clock correction a response teaches, or null when the current one is good enough.
 * The server's clock is read halfway through the round trip, so the estimate is only as
 * good as half the round trip: corrections smaller than that are ignored.
 */
export function learnOffset(current: number, serverMs: number, sentAt: number, receivedAt: number): number | null {
  // A serverTime that is not a date gives NaN, which never passes the comparison below.
  const estimate = Math.round(serverMs - (sentAt + receivedAt) / 2);
  const tolerance = Math.max(CLOCK_TOLERANCE_MS, receivedAt - sentAt);
  return Math.abs(estimate - current) > tolerance ? estimate : null;
}
