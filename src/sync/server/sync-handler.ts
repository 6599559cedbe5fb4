/**
 * `POST /v1/sync` as a function of (user, body): validation, the clock-drift check, the push,
 * then the pull. Any server (the reference server, an in-process test server, a serverless
 * function) wraps it with its own HTTP layer and authentication.
 */
import { hlcMillis } from '../hlc.ts';
import { sameChange, type Message, type ServerMessage } from '../message.ts';
import { DEFAULT_MAX_DRIFT_MS, LINES_FRAMING, LINES_MEDIA_TYPE, ProtocolError, findClockDrift, parseSyncRequest, type NextPage, type SyncResponse } from '../protocol.ts';
import type { PullOptions, PullResult, ServerStore } from './server-store.ts';
import { COLUMNS_FORMAT, encodeColumns } from '../columns-page.ts';
import { invalidArgument, reading } from '../errors.ts';
import { optionsError } from '../option-keys.ts';
import { cutPage, pageSize } from './page-bytes.ts';

export interface SyncHandlerOptions {
  readonly store: ServerStore;
  /** How far ahead of the server's clock an `hlc` may be. Default 5 minutes. */
  readonly maxDriftMs?: number;
  /** The server's clock. Default `Date.now`. */
  readonly now?: () => number;
  /** Told about a pull that failed after its push was stored (for the server's log). */
  readonly onPullError?: (err: unknown) => void;
}

export interface SyncOutcome {
  readonly response: SyncResponse<ServerMessage>;
  /** The request as validated. */
  readonly clientId: string;
  readonly pushed: number;
  /** Messages new to the server: when > 0, the user's other clients deserve a poke. */
  readonly stored: number;
  /** The user's greatest id after the push (for pokes); 0 when nothing was pushed. */
  readonly maxId: number;
  /** Messages in the answer, follow-on pages included (for the server's log). */
  readonly pulled: number;
}

/** The validated request, as `parseSyncRequest` returns it. */
export type ValidatedSyncRequest = ReturnType<typeof parseSyncRequest>;

export interface ValidatedOptions {
  /**
   * The clock-drift check (`checkClockDrift`) was already made, with this server time in ms,
   * for example in the worker thread that validated the request: the handler does not make
   * it again, and answers with this time as `serverTime`.
   */
  readonly driftCheckedAt?: number;
}

export interface SyncHandler {
  (userId: string, body: unknown): Promise<SyncOutcome>;
  /**
   * The same, for a body already validated by `parseSyncRequest` (for example in a worker
   * thread, off the server's event loop): everything after validation.
   */
  validated(userId: string, request: ValidatedSyncRequest, options?: ValidatedOptions): Promise<SyncOutcome>;
}

/**
 * Refuses a request whose messages run ahead of the server's clock (`serverNow`, ms) by more
 * than `maxDriftMs`: throws the `clock_drift` ProtocolError, which names the first such
 * message and carries the server's time. The handler calls it unless told it was done.
 */
export function checkClockDrift(messages: readonly Message[], serverNow: number, maxDriftMs: number): void {
  if (!Array.isArray(messages) || !Number.isFinite(serverNow) || typeof maxDriftMs !== 'number' || Number.isNaN(maxDriftMs)) { // Infinity: the check off
    throw invalidArgument('checkClockDrift(messages, serverNow, maxDriftMs) takes the request\'s messages and two numbers of ms');
  }
  const drifted = findClockDrift(messages, serverNow, maxDriftMs);
  if (drifted === -1) return;
  const ahead = hlcMillis((messages[drifted] as Message).hlc) - serverNow;
  throw new ProtocolError(
    'clock_drift',
    `message ${drifted}: its hlc is ${Math.round(ahead / 1000)} s ahead of the server's clock (limit ${Math.round(maxDriftMs / 1000)} s)`,
    drifted,
    new Date(serverNow).toISOString(),
  );
}

/**
 * The response, which serializes (JSON.stringify) in the page format the request asked for:
 * with `"format": "columns"`, its messages as a columns page (columns-page.ts). The object
 * itself keeps `messages`, for whatever counts or logs them on the way. With `"framing":
 * "lines"`, `answerBody` writes it one page per line.
 */
function asRequested(response: SyncResponse<ServerMessage>, request: ValidatedSyncRequest): SyncResponse<ServerMessage> {
  if (request.format !== COLUMNS_FORMAT) return response;
  const { messages, next, ...rest } = response;
  const first = (): Record<string, unknown> => ({ ...rest, format: COLUMNS_FORMAT, page: encodeColumns(messages, request.cursor) });
  const pages = (): unknown[] => {
    let after = response.cursor;
    return (next ?? []).map((p) => {
      const page = { cursor: p.cursor, more: p.more, page: encodeColumns(p.messages, after) };
      after = p.cursor;
      return page;
    });
  };
  Object.defineProperty(response, 'toJSON', { value: () => ({ ...first(), ...(next ? { next: pages() } : {}) }) });
  if (request.framing === LINES_FRAMING) Object.defineProperty(response, IN_LINES, { value: () => [first(), ...pages()] });
  return response;
}

const IN_LINES = Symbol('fieldsync.inLines');

/**
 * A 200 answer's body and its media type, as its request asked: one JSON text, or with
 * `"framing": "lines"` (docs/protocol.md §5, "Line-framed answers") the first page's JSON
 * text (the answer without `next`), then each follow-on page's, each ending with a line feed.
 * `JSON.stringify(response)` gives the single text, for a server that answers no lines.
 */
export function answerBody(response: SyncResponse<ServerMessage>): { readonly text: string; readonly type: string } {
  if (typeof response !== 'object' || response === null) throw invalidArgument('answerBody takes the response the handler answered with');
  const lines = (response as SyncResponse<ServerMessage> & { [IN_LINES]?: () => unknown[] })[IN_LINES];
  if (!lines) return { text: JSON.stringify(response), type: 'application/json; charset=utf-8' };
  let text = '';
  for (const line of lines()) text += `${JSON.stringify(line)}\n`;
  return { text, type: `${LINES_MEDIA_TYPE}; charset=utf-8` };
}

/**
 * The pages after the first, for a request that asked for several (docs/protocol.md §5,
 * "Follow-on pages"): read one after another, each from the cursor of the one before, while
 * the page before said `more`, until the answer holds `pages` pages or about
 * `NEXT_PAGES_BYTES` of values. A page that fails to read ends the list there: the last page
 * read says `more`, and the client asks again.
 */
async function followOn(store: ServerStore, userId: string, request: ValidatedSyncRequest, first: SizedPage, shown: PageFilter, onPullError?: (err: unknown) => void): Promise<NextPage<ServerMessage>[]> {
  const next: NextPage<ServerMessage>[] = [];
  let { page, rough } = first;
  let bytes = 0;
  while (page.more && next.length + 1 < request.pages) {
    bytes += rough;
    if (bytes >= NEXT_PAGES_BYTES) break;
    try {
      ({ page, rough } = sized(await store.pull(userId, pullOptionsOf(request, page.cursor))));
    } catch (err) {
      onPullError?.(err);
      break;
    }
    // A page from another epoch (the log was replaced meanwhile) is not this answer's.
    if (page.epoch !== first.page.epoch) break;
    next.push({ cursor: page.cursor, more: page.more, messages: shown(page.messages) });
  }
  return next;
}

/** A store's page cut to the protocol's page bytes (page-bytes.ts), with its rough size. */
interface SizedPage {
  readonly page: PullResult;
  readonly rough: number;
}
const sized = (page: PullResult): SizedPage => {
  const { rough, upper } = pageSize(page.messages);
  return { page: cutPage(page, upper), rough };
};

/** A pull from `cursor` for `request`: its own messages too when it asked (`own`). */
const pullOptionsOf = (request: ValidatedSyncRequest, cursor: number): PullOptions =>
  ({ cursor, limit: request.limit, excludeClientId: request.clientId, ...(request.own ? { includeOwn: true } : {}) });

/** What an answer's pages hold of the store's pages. */
type PageFilter = (messages: readonly ServerMessage[]) => readonly ServerMessage[];

/**
 * A request's pages without the messages it pushed itself: a request that asked for its own
 * messages (`own`) gets back those it no longer has, never copies of those it just sent. A
 * message it pushed under an `hlc` the store held with other content (a restored client's
 * clock issued a lost write's `hlc` again) is no copy: the store kept the lost one, which
 * goes back, and the client re-stamps its new one (docs/protocol.md, "Own messages"). The
 * pushed messages are gathered once per request, for its first page and its follow-on pages;
 * each page is the store's own array, copied only when one is left out.
 */
function withoutPushed(request: ValidatedSyncRequest): PageFilter {
  if (!request.own || request.messages.length === 0) return (messages) => messages;
  const pushed = new Map(request.messages.map((m) => [m.hlc, m]));
  const sent = (m: ServerMessage): boolean => {
    const p = pushed.get(m.hlc);
    return p !== undefined && sameChange(p, m);
  };
  return (messages) => (messages.some(sent) ? messages.filter((m) => !sent(m)) : messages);
}

/**
 * About 1 MiB of values per answer: follow-on pages save round trips, not memory. Counted
 * roughly (pageSize's `rough`), pages under it are at most 11 MiB of JSON (a string's JSON is
 * at most 6 bytes a unit, and a message's other fields under 11 times their 40): with a last
 * page of PAGE_BYTES, an answer is under 20 MiB, half the protocol's MAX_ANSWER_BYTES.
 */
const NEXT_PAGES_BYTES = 1 << 20;

/** Every key of SyncHandlerOptions (the type makes the list complete): any other is refused. */
const HANDLER_KEYS = { store: 0, maxDriftMs: 0, now: 0, onPullError: 0 } satisfies Record<keyof SyncHandlerOptions, 0>;

/** Why `options` cannot make a handler, or null. */
function handlerOptionsError(options: SyncHandlerOptions): string | null {
  const why = optionsError(options, HANDLER_KEYS);
  if (why !== null) return why;
  const { store, maxDriftMs, now, onPullError } = options;
  if (typeof store?.push !== 'function' || typeof store.pull !== 'function') return 'store must be a server store (push and pull)';
  // NaN would turn the drift check off: one device's clock in the year 9999 would then stamp
  // every later write of every device that pulled it. Infinity is a deliberate "no check".
  if (maxDriftMs !== undefined && !(typeof maxDriftMs === 'number' && maxDriftMs >= 0)) return 'maxDriftMs must be a number of ms, 0 or more';
  if (now !== undefined && typeof now !== 'function') return 'now must be a function';
  if (onPullError !== undefined && typeof onPullError !== 'function') return 'onPullError must be a function';
  return null;
}

/** Every key of ValidatedOptions: any other is refused. */
const VALIDATED_KEYS = { driftCheckedAt: 0 } satisfies Record<keyof ValidatedOptions, 0>;

/**
 * Why `validated` cannot take `request` and `options`, or null. The request must have the
 * fields of parseSyncRequest's result, of their types (its messages are not checked again):
 * a raw body, or null, failed later with a TypeError. A `driftCheckedAt` that is not a time
 * (`'x'`, NaN) threw a RangeError once the answer was built, after the push was stored.
 */
function validatedArgsError(request: unknown, options: unknown): string | null {
  const r = request as Partial<Record<keyof ValidatedSyncRequest, unknown>> | null;
  if (typeof r !== 'object' || r === null || typeof r.clientId !== 'string' || !Array.isArray(r.messages) || typeof r.own !== 'boolean'
    || ![r.cursor, r.limit, r.pages].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    return 'request must be what parseSyncRequest returns';
  }
  const why = optionsError(options, VALIDATED_KEYS);
  if (why !== null) return why;
  const at = (options as ValidatedOptions).driftCheckedAt;
  // new Date(at) is a valid date: what the answer's serverTime is made of.
  if (at !== undefined && !(typeof at === 'number' && Math.abs(at) <= 8.64e15)) return 'driftCheckedAt must be a server time in ms';
  return null;
}

/**
 * Creates the handler. It throws ProtocolError for every refusal; its `status`, `code` and
 * `toBody()` give the HTTP answer. A refused request stores nothing.
 */
export function createSyncHandler(options: SyncHandlerOptions): SyncHandler {
  const problem = reading('createSyncHandler: reading the options', () => handlerOptionsError(options));
  if (problem !== null) throw invalidArgument(`createSyncHandler: ${problem}`);
  const { store } = options;
  const maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS;
  const now = options.now ?? Date.now;
  const onPullError = options.onPullError;
  const validated = async (userId: string, request: ValidatedSyncRequest, options: ValidatedOptions = {}): Promise<SyncOutcome> => {
    // The user is the server's to give (from verified credentials): without one, every user's data would be one.
    if (typeof userId !== 'string' || userId.length === 0) throw invalidArgument('the sync handler needs the userId, a non-empty string');
    const why = reading('validated(userId, request, options): reading its arguments', () => validatedArgsError(request, options));
    if (why !== null) throw invalidArgument(`validated(userId, request, options): ${why}`);
    const checkedAt = options.driftCheckedAt;
    const serverNow = checkedAt ?? now();
    if (checkedAt === undefined) checkClockDrift(request.messages, serverNow, maxDriftMs);
    let stored = 0;
    let maxId = 0;
    if (request.messages.length > 0) {
      const pushed = await store.push(userId, request.messages);
      stored = pushed.stored;
      maxId = pushed.maxId;
    }
    const answer = (page: { messages: readonly ServerMessage[]; cursor: number; more: boolean }, epoch?: string, next: NextPage<ServerMessage>[] = []): SyncOutcome => ({
      clientId: request.clientId,
      pushed: request.messages.length,
      stored,
      maxId,
      pulled: next.reduce((n, p) => n + p.messages.length, page.messages.length),
      response: asRequested({
        accepted: request.messages.length,
        cursor: Math.max(request.cursor, page.cursor),
        more: page.more,
        serverTime: new Date(serverNow).toISOString(),
        messages: page.messages,
        ...(epoch !== undefined ? { epoch } : {}),
        ...(next.length > 0 ? { next } : {}),
      }, request),
    });
    let first: SizedPage;
    try {
      first = sized(await store.pull(userId, pullOptionsOf(request, request.cursor)));
    } catch (err) {
      if (request.messages.length === 0) throw err;
      // The push is committed. An error answer would claim that nothing was stored, so the
      // push is acknowledged with an empty page and `more: true`: the client asks again at
      // once, and that pull-only request reports the failure if it persists.
      onPullError?.(err);
      return answer({ messages: [], cursor: request.cursor, more: true });
    }
    const page = first.page;
    // A cursor beyond the user's greatest id (before this request's own push) belongs to
    // messages this database no longer has: it was restored from a backup. The user's log
    // gets a new epoch, so that every client of the user starts over, this one included.
    // A client that already holds another epoch is starting over anyway; one that holds none
    // (`""`, or no field: it never had one, or kept its cursor from before epochs) is not.
    const lastBefore = request.messages.length > 0 ? maxId - stored : page.lastId;
    let epoch = page.epoch;
    if (request.cursor > lastBefore && epoch !== '' && (request.epoch === undefined || request.epoch === '' || request.epoch === epoch)) {
      epoch = await store.renewEpoch(userId, epoch);
    }
    // After a renewed epoch the client starts over: it needs no more of the old log.
    const shown = withoutPushed(request);
    const next = epoch === page.epoch && request.pages > 1 ? await followOn(store, userId, request, first, shown, onPullError) : [];
    return answer({ ...page, messages: shown(page.messages) }, epoch, next);
  };
  // Async, so that a refused body rejects the promise as every other refusal does (it threw at the call).
  return Object.assign(async (userId: string, body: unknown) => validated(userId, parseSyncRequest(body)), { validated });
}
