/**
 * Reading a sync answer as a client receives it (docs/protocol.md section 5): the checks of a
 * server's `200` answer, its first page and its follow-on pages. The request's side and the
 * protocol's shapes are in protocol.ts.
 */
import { invalidAnswer, invalidArgument } from './errors.ts';
import { messageError, type ServerMessage } from './message.ts';
import { COLUMNS_FORMAT, decodeColumns, idError } from './columns-page.ts';
import { isObject } from './option-keys.ts';
import { DEFAULT_PULL_LIMIT, EPOCH_PATTERN, MAX_PULL_LIMIT, MAX_PULL_PAGES, isNonNegativeInteger, type NextPage, type SyncRequest, type SyncResponse } from './protocol.ts';

/**
 * True when a checked message is a plain object with six enumerable keys: exactly the six a
 * message has (all checked present), its own. Allocates nothing.
 */
function hasOnlyMessageKeys(m: object): boolean {
  if (Object.getPrototypeOf(m) !== Object.prototype) return false;
  let n = 0;
  for (const _ in m) n++;
  return n === 6;
}

/**
 * Validates a server's `200` answer as the client receives it. Throws RemoteError
 * (`invalid_response`). `asked`, the request it answers (its `limit` and `pages`; round 60):
 * a page with more messages than its `limit` (default 1000, as the server's), or more pages
 * than its `pages` (default 8: a request's own, without the columns format, gets one page, and
 * `next` is refused then anyway), is refused, as the library's remote refuses them. Without
 * it, the protocol's most: 5000 messages a page, 8 pages.
 */
export function parseSyncResponse(body: unknown, sentCursor: number, asked?: Pick<SyncRequest, 'limit' | 'pages'>): SyncResponse<ServerMessage> {
  return readResponse(body, sentCursor, false, askedBounds(asked)) as SyncResponse<ServerMessage>;
}

/** The most messages a page and the most pages `asked` allows (docs/protocol.md §5), or a ValidationError. */
function askedBounds(asked: unknown): { limit: number; pages: number } {
  if (asked === undefined) return { limit: MAX_PULL_LIMIT, pages: MAX_PULL_PAGES };
  const { limit, pages } = (typeof asked === 'object' && asked !== null ? asked : { limit: NaN }) as Record<string, unknown>;
  const within = (n: unknown, most: number): boolean => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= most);
  if (!within(limit, MAX_PULL_LIMIT) || !within(pages, MAX_PULL_PAGES)) {
    throw invalidArgument(`parseSyncResponse(body, sentCursor, asked?): asked must be the request sent, its limit 1 to ${MAX_PULL_LIMIT} and its pages 1 to ${MAX_PULL_PAGES} if given`);
  }
  return { limit: (limit as number | undefined) ?? DEFAULT_PULL_LIMIT, pages: (pages as number | undefined) ?? MAX_PULL_PAGES };
}

/**
 * The answers these checks made (parseSyncResponse's, the library's remote's): the client
 * takes them as they are, and checks any other a custom remote gives (remote-answer.ts).
 */
export const checkedAnswers = new WeakSet<object>();

/**
 * `parseSyncResponse` for the library's own remote (http-remote.ts): the same checks, the
 * request's `limit` and `pages` as sent, but a columns page's messages come as the objects a
 * store keeps (columns-page.ts, `pulled`), without their ids.
 */
export const readSyncResponse = (body: unknown, sentCursor: number, asked: { limit: number; pages: number }): SyncResponse => readResponse(body, sentCursor, true, asked);

/**
 * The one check of an answer's count of pages against the `pages` asked (docs/protocol.md §5):
 * here for every answer, and in answer-lines.ts as each line comes, before more are held. Until
 * round 61 it was parseSyncResponse's alone: the library's remote held a single JSON text (a
 * server that ignores the line framing) to the protocol's 8 pages, not to fewer asked for.
 */
export function checkPages(count: number, pages: number): void {
  if (count > pages) throw invalidAnswer(`more pages than the ${pages} asked for`);
}

function readResponse(body: unknown, sentCursor: number, pulled: boolean, { limit, pages }: { limit: number; pages: number }): SyncResponse {
  const answer = readAnswer(body, sentCursor, pulled);
  checkPages(1 + (answer.next?.length ?? 0), pages);
  // A page holds at most the `limit` asked for (docs/protocol.md §5): more is not the protocol.
  for (const p of [answer, ...(answer.next ?? [])]) if (p.messages.length > limit) throw invalidAnswer(`more messages in a page than the limit of ${limit}`);
  checkedAnswers.add(answer);
  return answer;
}

function readAnswer(body: unknown, sentCursor: number, pulled: boolean): SyncResponse {
  const bad = invalidAnswer;
  if (!isObject(body)) throw bad('not an object');
  const { accepted, cursor, more, serverTime, messages, epoch, format, page, next } = body as Record<string, unknown>;
  if (!isNonNegativeInteger(accepted)) throw bad('accepted');
  if (epoch !== undefined && (typeof epoch !== 'string' || !EPOCH_PATTERN.test(epoch))) throw bad('epoch');
  if (!isNonNegativeInteger(cursor)) throw bad('cursor');
  if (cursor < sentCursor) throw bad('cursor went backwards');
  if (typeof more !== 'boolean') throw bad('more');
  if (typeof serverTime !== 'string' || !Number.isFinite(Date.parse(serverTime))) throw bad('serverTime');
  if (format === COLUMNS_FORMAT) {
    // A columns page (asked for by the request's `format`) instead of `messages`.
    const decoded = decodeColumns(page, sentCursor, cursor, pulled);
    if (typeof decoded === 'string') throw bad(decoded);
    const pages = next === undefined ? undefined : nextPages(next, cursor, more, pulled);
    if (typeof pages === 'string') throw bad(pages);
    return { accepted, cursor, more, serverTime, messages: decoded, ...(epoch !== undefined ? { epoch: epoch as string } : {}), ...(pages ? { next: pages } : {}) };
  }
  if (format !== undefined) throw bad('format');
  if (next !== undefined) throw bad('next without the columns format');
  if (!Array.isArray(messages)) throw bad('messages');
  const out: ServerMessage[] = new Array<ServerMessage>(messages.length);
  let lastId = sentCursor;
  const checked = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as unknown;
    const problem = messageError(m, checked);
    if (problem) throw bad(`message ${i}: ${problem}`);
    const { id, hlc, table, row, column, value } = m as ServerMessage;
    if (!isNonNegativeInteger(id) || id <= lastId || id > cursor) throw bad(idError(i));
    lastId = id;
    // The message as parsed when it has nothing else (the usual case: no copy to collect).
    out[i] = hasOnlyMessageKeys(m as object) ? (m as ServerMessage) : { id, hlc, table, row, column, value };
  }
  return { accepted, cursor, more, serverTime, messages: out, ...(epoch !== undefined ? { epoch: epoch as string } : {}) };
}

/**
 * Decodes and checks an answer's follow-on pages: at most `MAX_PULL_PAGES - 1`, each after a
 * page that said `more`, its cursor not behind the one before, its ids after that cursor.
 * Returns the pages, or the reason they are not valid.
 */
function nextPages(next: unknown, cursor: number, more: boolean, pulled: boolean): NextPage[] | string {
  if (!Array.isArray(next) || next.length >= MAX_PULL_PAGES) return `next must be an array of at most ${MAX_PULL_PAGES - 1} pages`;
  const out: NextPage[] = [];
  for (let i = 0; i < next.length; i++) {
    const p = next[i] as Record<string, unknown> | null;
    if (!more) return `next[${i}] follows a page without more`;
    if (typeof p !== 'object' || p === null) return `next[${i}] must be an object`;
    const after = cursor;
    ({ cursor, more } = p as { cursor: number; more: boolean });
    if (!isNonNegativeInteger(cursor) || cursor < after) return `next[${i}].cursor must be an integer, not behind the page before`;
    if (typeof more !== 'boolean') return `next[${i}].more must be a boolean`;
    const messages = decodeColumns(p.page, after, cursor, pulled);
    if (typeof messages === 'string') return `next[${i}]: ${messages}`;
    out.push({ cursor, more, messages });
  }
  return out;
}
