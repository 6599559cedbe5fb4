/**
 * Which replaced values were a real conflict. A pull replaces a cell's value whenever
 * another device wrote it later; most of the time that device had seen this one's value and
 * simply changed it (a rename, a tick): nothing was lost, and calling it "won / lost" would
 * cry wolf on every remote edit. A conflict is when the other device wrote **without having
 * seen** the value it replaced, so this device's edit was overwritten blind.
 *
 * The protocol does not say what a writer had seen, so this device judges from what it knows
 * (W: its own value that was replaced; R: the other device's write that replaced it):
 *
 *  1. W had not reached the server when R arrived (it was still pending, or went in the same
 *     request): R's writer cannot have had it. Certain.
 *  2. R is stamped before W reached the server, or less than UNSURE_MS after: R's writer
 *     cannot have had W yet (W takes a moment to reach the others, and clocks agree to about
 *     a second). Certain, up to clock skew.
 *  3. R reached this device late: more than UNSURE_MS after it was stamped, while this device
 *     was connected all along, so R was not on the server until then. R's device held it back
 *     (it worked offline) and may never have seen W: counted as a conflict.
 *
 * Otherwise R was sent as soon as it was written, by a device online after W had been on the
 * server for a while: a plain later edit. What this cannot tell apart, and how it errs: a
 * device that had W, went offline and then changed it on purpose counts as a conflict (rule
 * 3); an offline edit sent within UNSURE_MS, or one made while this device was itself
 * offline, counts as a plain edit; so do writes that reached the server before this process
 * started (rules 1 and 2 know only this session's writes, and the ones pending at its start).
 */
import { hlcClientId, tryParseHlc } from 'fieldsync/server';
import type { SyncStatus } from 'fieldsync';
import type { UnsentWrites } from './unsent-writes.ts';

/** How close in time two writes must be for this device not to be sure that one saw the other. */
export const UNSURE_MS = 2000;

export interface ConflictJudge {
  /** Every status the sync client reports (after `unsent` has seen it): whether it is connected. */
  status(status: SyncStatus): void;
  /** This device wrote a message stamped `hlc` at `now`: how far its clock is corrected. */
  wrote(hlc: string): void;
  /** Whether `next` (another device's) overwrote `previous` (this device's) without having seen it. */
  isConflict(previous: string, next: string): boolean;
}

export interface ConflictJudgeOptions {
  readonly clientId: string;
  readonly now: () => number;
  readonly unsent: UnsentWrites;
  /** The status when the app started. */
  readonly status: SyncStatus;
  /** Latency this device adds to every request (the simulated network): its pulls arrive that much later. */
  readonly addedLatencyMs: () => number;
}

const millisOf = (hlc: string): number => tryParseHlc(hlc)?.millis ?? Number.NaN;

export function createConflictJudge(o: ConflictJudgeOptions): ConflictJudge {
  let lastSyncAt = o.status.lastSyncAt;
  let connectedSince: number | null = null;
  // This device's timestamps are its clock corrected by the server's: so is "now" here.
  let skew = 0;
  const now = (): number => o.now() + skew;

  return {
    wrote(hlc) {
      skew = millisOf(hlc) - o.now() || 0;
    },

    status(s) {
      // Connected from the first answer after a failure (each page answered moves lastSyncAt).
      const connected = s.online && (s.state === 'idle' || s.state === 'syncing');
      if (!connected) connectedSince = null;
      else if (s.lastSyncAt !== lastSyncAt && connectedSince === null) connectedSince = now();
      lastSyncAt = s.lastSyncAt;
    },

    isConflict(previous, next) {
      if (hlcClientId(previous) !== o.clientId) return false; // not this device's value: no edit of its own was lost
      if (o.unsent.isPending(previous)) return true; // rule 1
      const written = millisOf(next);
      const reached = o.unsent.reachedServerAt(previous);
      if (reached !== undefined && written < reached + skew + UNSURE_MS) return true; // rule 2
      // Rule 3: stamped while this device was connected, yet it arrives only now.
      return connectedSince !== null && written >= connectedSince && now() - written > UNSURE_MS + o.addedLatencyMs();
    },
  };
}
