/**
 * A remote's answer, checked before the client uses any of it. The library's own remote and
 * `parseSyncResponse` check theirs as they read them (sync-response.ts, `checkedAnswers`), and the
 * client takes those as they are; any other, a custom remote's (docs/api.md, Remote), is
 * checked here: its fields, and each message as the protocol has one (no `id` needed). Until
 * round 56 such an answer's cursor was stored whatever it was (a string, NaN, 1.5, missing),
 * and the store then refused to open ("invalid cursor"); an answer without `messages` was a
 * TypeError, and a remote's own exception, or its answer's getter that threw, reached the app
 * raw, with the code `internal`.
 */
import { FieldsyncError, RemoteError, errorText, invalidAnswer as invalid } from './errors.ts';
import { messageError } from './message.ts';
import { EPOCH_PATTERN, isNonNegativeInteger, type SyncResponse } from './protocol.ts';
import { checkedAnswers } from './sync-response.ts';

/**
 * What a remote's `call` (`sync()`, `subscribe()`, the unsubscribe it gave) threw: its typed
 * errors as they are (a NetworkError, a RemoteError), anything else an invalid answer (a
 * sync's retried with backoff as one), with it as `cause`.
 */
export const remoteThrew = (err: unknown, call = 'sync()'): FieldsyncError =>
  err instanceof FieldsyncError ? err : new RemoteError(0, 'invalid_response', `the remote's ${call} threw: ${errorText(err)}`, { cause: err });

/** `answer` as a SyncResponse, or a RemoteError (`invalid_response`) that says what is wrong. */
export function checkedAnswer(answer: unknown): SyncResponse {
  if (typeof answer === 'object' && answer !== null && checkedAnswers.has(answer)) return answer as SyncResponse;
  let why: string | null;
  try {
    why = pageError(answer);
  } catch (err) {
    throw invalid(`reading it threw: ${errorText(err)}`, err);
  }
  if (why !== null) throw invalid(why);
  return answer as SyncResponse;
}

/**
 * Why `p`, an answer or one of its follow-on pages (their fields over the answer's), is not
 * one, or null: the field at fault, as the library's remote names it (protocol.ts).
 */
function pageError(p: unknown): string | null {
  if (typeof p !== 'object' || p === null) return 'not an object';
  const { accepted, cursor, more, serverTime, epoch, messages, next } = p as Record<string, unknown>;
  const field = !isNonNegativeInteger(accepted) ? 'accepted'
    : !isNonNegativeInteger(cursor) ? 'cursor'
    : typeof more !== 'boolean' ? 'more'
    : typeof serverTime !== 'string' ? 'serverTime'
    : epoch !== undefined && (typeof epoch !== 'string' || !EPOCH_PATTERN.test(epoch)) ? 'epoch'
    : !Array.isArray(messages) ? 'messages'
    : next !== undefined && !Array.isArray(next) ? 'next' : null;
  if (field !== null) return field;
  const checked = new Set<string>();
  for (let i = 0; i < (messages as unknown[]).length; i++) {
    const problem = messageError((messages as unknown[])[i], checked);
    if (problem !== null) return `message ${i}: ${problem}`;
  }
  for (let i = 0; i < ((next as unknown[] | undefined)?.length ?? 0); i++) {
    const why = pageError({ ...p, next: undefined, ...((next as object[])[i]) });
    if (why !== null) return `next[${i}]: ${why}`;
  }
  return null;
}
