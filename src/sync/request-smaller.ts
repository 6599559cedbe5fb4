/**
 * Smaller requests after an answer refused for its size alone (docs/protocol.md §5, "Answer
 * bytes", round 61). A server before round 60 whose store pages by count alone (the memory
 * store, an app's own) answers a page of 1,000 values of 60 KiB in 59 MiB, over the 40 MiB a
 * client reads: until round 61 the client failed with `invalid_response` for ever, its cursor
 * stuck. Now the remote asks again, at once, for less: one page, then half the messages a page,
 * down to one. Each answer is still the protocol's (fewer messages, `more: true`), so the
 * client goes on from it as from any. One message a page is at most 64 KiB of value, far under
 * the bound: an answer over it then is no server's valid answer, and a permanent error.
 *
 * What worked is kept for this server, so that each sync does not first fetch up to 40 MiB to
 * refuse it: after an hour the request asked for is tried again (a server that was upgraded),
 * and each such try that is refused doubles the wait, up to a day.
 */
import { tooLarge } from './answer-lines.ts';
import { AnswerTooLargeError, RemoteError } from './errors.ts';
import { DEFAULT_PULL_LIMIT, MAX_PULL_PAGES, type SyncRequest, type SyncResponse } from './protocol.ts';

/** The most messages a page and the most pages a request asks for. */
export interface AnswerSize {
  readonly limit: number;
  readonly pages: number;
}

const HOUR = 3_600_000;

/**
 * Sends `wire` through `attempt`, smaller after an answer too large (above). `report` is told
 * each smaller size (the remote's `onAnswerTooLarge`); one that throws changes nothing.
 */
export function smallerRequests(report?: (size: AnswerSize) => void): (wire: SyncRequest, attempt: (wire: SyncRequest, size: AnswerSize) => Promise<SyncResponse>) => Promise<SyncResponse> {
  let learnt: AnswerSize | null = null;
  let waitMs = HOUR;
  let retryAt = 0;
  return async (wire, attempt) => {
    const asked = wire.limit ?? DEFAULT_PULL_LIMIT;
    let limit = asked;
    let pages = wire.pages ?? MAX_PULL_PAGES;
    if (learnt !== null && Date.now() < retryAt) [limit, pages] = [Math.min(limit, learnt.limit), Math.min(pages, learnt.pages)];
    for (;;) {
      const past = learnt !== null && (limit > learnt.limit || pages > learnt.pages);
      try {
        const answer = await attempt({ ...wire, ...(limit < asked ? { limit } : {}), pages }, { limit, pages });
        if (past) learnt = null; // the size asked for is read again: the server was upgraded
        return answer;
      } catch (err) {
        if (!(err instanceof RemoteError) || err.status !== 200 || !tooLarge.has(err)) throw err;
        if (limit === 1 && pages === 1) {
          throw new AnswerTooLargeError('the answer to one message a page is still too large: no smaller request can be read', err);
        }
        if (past && learnt !== null) {
          // A try of the size asked for, refused again: back to what worked, and a longer wait.
          [limit, pages] = [Math.min(limit, learnt.limit), Math.min(pages, learnt.pages)];
          waitMs = Math.min(waitMs * 2, 24 * HOUR);
        } else {
          [limit, pages] = pages > 1 ? [limit, 1] : [Math.ceil(limit / 2), 1];
          learnt = { limit, pages };
        }
        retryAt = Date.now() + waitMs;
        try {
          report?.({ limit, pages });
        } catch {
          // The app's report: nothing of the sync depends on it.
        }
      }
    }
  };
}
