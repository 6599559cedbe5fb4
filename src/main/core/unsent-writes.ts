/**
 * This device's writes on their way to the server: which are still pending, and when each of
 * the others arrived there, as far as this device can tell. The sync client reports only how
 * many are pending; it pushes the oldest first, so after a push the pending ones are the
 * newest `pending` of them. A write the app did not make through the table repo (the device's
 * name) is not listed: while one is pending, a listed write may count as pending a little
 * longer than it is, never the other way round.
 */
export interface LocalWrite {
  readonly hlc: string;
  readonly table: string;
  readonly row: string;
}

export interface UnsentWrites {
  /** This device wrote these messages, which are now pending (the client's status said so first). */
  wrote(messages: readonly LocalWrite[]): void;
  /** The client's pending count from a status: the writes beyond it reached the server `now`. */
  pending(count: number): void;
  isPending(hlc: string): boolean;
  /** When a write was seen to reach the server, if this process saw it. */
  reachedServerAt(hlc: string): number | undefined;
  /** The rows (of the tables `counts`) with a write not on the server yet: the changes a user made and waits to see synced. */
  rows(counts?: (table: string) => boolean): number;
}

/** Writes remembered with the time they reached the server; older ones are forgotten. */
const MAX_REMEMBERED = 20_000;

export function createUnsentWrites(now: () => number, atStart: readonly LocalWrite[], pendingAtStart: number): UnsentWrites {
  const unsent: LocalWrite[] = [...atStart];
  const pendingHlcs = new Set(atStart.map((w) => w.hlc));
  const reached = new Map<string, number>();
  let count = pendingAtStart;

  const settle = (): void => {
    while (unsent.length > count) {
      const w = unsent.shift() as LocalWrite;
      pendingHlcs.delete(w.hlc);
      reached.set(w.hlc, now());
      if (reached.size > MAX_REMEMBERED) reached.delete(reached.keys().next().value as string);
    }
  };

  return {
    // No settle here: no push can end between the status a write reports and its return.
    wrote(messages) {
      for (const m of messages) {
        unsent.push(m);
        pendingHlcs.add(m.hlc);
      }
    },
    pending(n) {
      count = n;
      settle();
    },
    isPending: (hlc) => pendingHlcs.has(hlc),
    reachedServerAt: (hlc) => reached.get(hlc),
    rows: (counts = () => true) => new Set(unsent.filter((w) => counts(w.table)).map((w) => `${w.table}\u0000${w.row}`)).size,
  };
}
