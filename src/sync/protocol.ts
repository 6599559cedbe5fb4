/**
 * The wire protocol's shapes (docs/protocol.md sections 5 and 7) and their validation, shared by
 * the HTTP transport, the in-process test server and the reference server. Reading an answer
 * is in sync-response.ts.
 */
import { isObject } from './option-keys.ts';
import { FieldsyncError, ValidationError, errorText, invalidArgument, type ProtocolErrorCode } from './errors.ts';
import { CLIENT_ID_PATTERN, hlcMillis } from './hlc.ts';
import { validateMessages, type Message } from './message.ts';
import { COLUMNS_FORMAT } from './columns-page.ts';

export const MAX_PUSH_MESSAGES = 5000;
/**
 * The most JSON arrays, objects and object members (`key: value`s) one request body may hold,
 * the body itself, `messages`, each message and everything in their values together (round 62,
 * members since round 63; docs/protocol.md §5, "Parse cost"). JSON.parse costs by these, not
 * bytes: 4 MiB of empty arrays, or of keys never seen before (V8 makes a hidden class for each),
 * held a parse worker for seconds, and another user's push behind it. One message of the
 * largest value is at most 32,784 in a request of its own (each takes two bytes of its 64 KiB,
 * and the request its own few), so every valid
 * message still syncs; the client cuts its batches by this count too
 * (request-size.ts).
 */
export const MAX_REQUEST_CONTAINERS = 65_536;
export const MAX_PULL_LIMIT = 5000;
export const DEFAULT_PULL_LIMIT = 1000;
/** The most pages one answer carries (docs/protocol.md §5, "Follow-on pages"). */
export const MAX_PULL_PAGES = 8;
/**
 * The most bytes of one 200 answer to `POST /v1/sync` (docs/protocol.md §5, "Answer bytes",
 * round 60): its JSON text, or its lines, as UTF-8, after any Content-Encoding is undone. A
 * client reads no more (answer-lines.ts). The reference server stays under 20 MiB (pages cut
 * at 8 MiB of JSON, follow-on pages while under about 1 MiB of values); the rest is room for
 * servers before round 60, whose stores cut pages at 8 MiB of values as stored: up to 24 MiB
 * of UTF-8 for text in CJK scripts, with up to 5 MiB of other fields and the pages before it.
 */
export const MAX_ANSWER_BYTES = 40 * 1024 * 1024;
export const DEFAULT_MAX_DRIFT_MS = 5 * 60 * 1000;
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface SyncRequest {
  readonly clientId: string;
  readonly cursor: number;
  readonly limit?: number;
  readonly messages?: readonly Message[];
  /** The epoch the client's cursor belongs to (docs/protocol.md, "Epochs"). */
  readonly epoch?: string;
  /** The page format the client reads (docs/protocol.md, "Columns pages"): `columns`, or absent for `messages`. */
  readonly format?: typeof COLUMNS_FORMAT;
  /** The most pages the answer may carry, with the columns format (docs/protocol.md, "Follow-on pages"); default 1. */
  readonly pages?: number;
  /** `lines`: the answer one JSON text per page, with the columns format (docs/protocol.md, "Line-framed answers"). */
  readonly framing?: typeof LINES_FRAMING;
  /**
   * `true`: the answer's pages also hold the caller's own messages after its cursor, but for
   * copies of this request's push (docs/protocol.md, "Own messages"): a client sends it until
   * its first pull after opening is done, and so gets back the writes a store restored from
   * a backup no longer has.
   */
  readonly own?: boolean;
}

/** The `framing` of an answer in lines, and the media type such an answer has. */
export const LINES_FRAMING = 'lines';
export const LINES_MEDIA_TYPE = 'application/x-ndjson';

/**
 * A request as the library's remotes send it (the HTTP remote, the in-process test server):
 * asking for columns pages, up to `MAX_PULL_PAGES` of them per answer unless it says, in
 * lines (one JSON text per page: see answer-lines.ts for why). A server that predates any of
 * these fields ignores it (docs/protocol.md §5).
 */
export const wireRequest = (request: SyncRequest): SyncRequest => ({ ...request, format: COLUMNS_FORMAT, pages: request.pages ?? MAX_PULL_PAGES, framing: LINES_FRAMING });

/** A page after an answer's first: committed as if it answered a pull from the page before. */
export interface NextPage<M extends Message = Message> {
  readonly cursor: number;
  readonly more: boolean;
  readonly messages: readonly M[];
}

/**
 * An answer to `POST /v1/sync`, as a `Remote` hands it to the client: its messages need no
 * ids, since the client reads a message's five fields and never its id (a page's `cursor`
 * says where it ends). `SyncResponse<ServerMessage>` is one as a server sends it, and as
 * `parseSyncResponse` returns it, with each message's id.
 */
export interface SyncResponse<M extends Message = Message> {
  readonly accepted: number;
  readonly cursor: number;
  readonly more: boolean;
  readonly serverTime: string;
  readonly messages: readonly M[];
  /**
   * The id of the user's message log on this server: a client whose cursor belongs to
   * another epoch starts over. Absent from servers that predate epochs.
   */
  readonly epoch?: string;
  /**
   * The pages after this one, in order, when the request asked for several: each goes on
   * from the cursor of the page before it. The answer's `more` is the first page's.
   */
  readonly next?: readonly NextPage<M>[];
}

/** An epoch: empty (the user has no log yet), or up to 64 characters of `[A-Za-z0-9_-]`. */
export const EPOCH_PATTERN = /^[A-Za-z0-9_-]{0,64}$/;

export interface Poke {
  readonly cursor: number;
}

export interface ErrorBody {
  readonly error: {
    readonly code: ProtocolErrorCode;
    readonly message: string;
    readonly index?: number;
    /** Added to `clock_drift` errors: the server's clock, so the client can correct its own. */
    readonly serverTime?: string;
  };
}

/** HTTP status of each protocol error code (docs/protocol.md §7). */
export const ERROR_STATUS: Readonly<Record<ProtocolErrorCode, number>> = {
  invalid_request: 400,
  invalid_message: 400,
  clock_drift: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** A request that the server must refuse with a protocol error. */
export class ProtocolError extends FieldsyncError {
  override readonly code: ProtocolErrorCode; // set again below: see FieldsyncError
  readonly status: number;
  /** Position of the first offending message, when one is to blame. */
  readonly index: number | undefined;
  /** For `clock_drift`: the server's clock, sent along so the client can correct its own. */
  readonly serverTime: string | undefined;
  constructor(code: ProtocolErrorCode, message: string, index?: number, serverTime?: string) {
    // Not one of §7's codes: no HTTP status to answer with (an object threw a TypeError here).
    if (typeof code !== 'string' || !Object.hasOwn(ERROR_STATUS, code)) throw invalidArgument(`ProtocolError: unknown code ${errorText(code).slice(0, 80)}`);
    super(code, typeof message === 'string' ? message : errorText(message));
    this.code = code;
    this.name = 'ProtocolError';
    this.status = ERROR_STATUS[code];
    this.index = index;
    this.serverTime = serverTime;
  }

  /** The JSON error body of docs/protocol.md §7. */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.index !== undefined ? { index: this.index } : {}),
        ...(this.serverTime !== undefined ? { serverTime: this.serverTime } : {}),
      },
    };
  }
}

export function isNonNegativeInteger(v: unknown): v is number {
  // Number.isSafeInteger is false for anything not a number: no typeof first.
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/**
 * Validates a `POST /v1/sync` body as the server receives it (already parsed from JSON).
 * Throws ProtocolError (`invalid_request` or `invalid_message` with `index`).
 */
export function parseSyncRequest(body: unknown): Required<Omit<SyncRequest, 'epoch' | 'format' | 'framing'>> & Pick<SyncRequest, 'epoch' | 'format' | 'framing'> {
  if (!isObject(body)) {
    throw new ProtocolError('invalid_request', 'body must be a JSON object');
  }
  const { clientId, cursor, limit, messages, epoch, format, pages, framing, own } = body as Record<string, unknown>;
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) {
    throw new ProtocolError('invalid_request', 'clientId must match ^[A-Za-z0-9_-]{1,64}$');
  }
  if (!isNonNegativeInteger(cursor)) throw new ProtocolError('invalid_request', 'cursor must be an integer >= 0');
  if (limit !== undefined && (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PULL_LIMIT)) {
    throw new ProtocolError('invalid_request', `limit must be an integer from 1 to ${MAX_PULL_LIMIT}`);
  }
  if (messages !== undefined && !Array.isArray(messages)) throw new ProtocolError('invalid_request', 'messages must be an array');
  if (epoch !== undefined && (typeof epoch !== 'string' || !EPOCH_PATTERN.test(epoch))) {
    throw new ProtocolError('invalid_request', 'epoch must match ^[A-Za-z0-9_-]{0,64}$');
  }
  if (format !== undefined && format !== COLUMNS_FORMAT) throw new ProtocolError('invalid_request', `format must be "${COLUMNS_FORMAT}" or absent`);
  if (pages !== undefined && (!Number.isSafeInteger(pages) || (pages as number) < 1 || (pages as number) > MAX_PULL_PAGES)) {
    throw new ProtocolError('invalid_request', `pages must be an integer from 1 to ${MAX_PULL_PAGES}`);
  }
  if (framing !== undefined && framing !== LINES_FRAMING) throw new ProtocolError('invalid_request', `framing must be "${LINES_FRAMING}" or absent`);
  if (own !== undefined && typeof own !== 'boolean') throw new ProtocolError('invalid_request', 'own must be a boolean or absent');
  const list = (messages ?? []) as unknown[];
  if (list.length > MAX_PUSH_MESSAGES) {
    throw new ProtocolError('invalid_request', `at most ${MAX_PUSH_MESSAGES} messages per request`);
  }
  let valid: Message[];
  try {
    valid = validateMessages(list, clientId);
  } catch (err) {
    if (err instanceof ValidationError) throw new ProtocolError('invalid_message', err.message, err.index);
    throw err;
  }
  const twice = repeatedHlc(valid);
  if (twice !== -1) {
    throw new ProtocolError('invalid_message', `message ${twice}: its hlc is another message's of this request (an hlc names one message)`, twice);
  }
  return {
    clientId, cursor, limit: (limit as number | undefined) ?? DEFAULT_PULL_LIMIT, messages: valid, own: own === true,
    // Follow-on pages are columns pages only: without the format, one page as before.
    pages: format === COLUMNS_FORMAT ? ((pages as number | undefined) ?? 1) : 1,
    ...(epoch !== undefined ? { epoch: epoch as string } : {}),
    ...(format !== undefined ? { format: COLUMNS_FORMAT } : {}),
    // Lines are columns pages' framing only: without the format, one JSON text as before.
    ...(framing !== undefined && format !== undefined ? { framing: LINES_FRAMING } : {}),
  };
}

/**
 * Index of the first message whose hlc an earlier one of `messages` has, or -1. The server
 * keeps one message per hlc, so the second would be acknowledged and never stored: a
 * client's clock that stamped two changes alike (two clients on one database file) would
 * lose one silently. Refused, it is set aside where its user sees it. A client sends its
 * messages in hlc order, which is checked first, with nothing allocated.
 */
function repeatedHlc(messages: readonly Message[]): number {
  let ordered = true;
  for (let i = 1; i < messages.length && ordered; i++) ordered = (messages[i] as Message).hlc > (messages[i - 1] as Message).hlc;
  if (ordered) return -1;
  const seen = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const hlc = (messages[i] as Message).hlc;
    if (seen.has(hlc)) return i;
    seen.add(hlc);
  }
  return -1;
}

/**
 * Index of the first message whose HLC time is more than `maxDriftMs` ahead of the server's
 * clock, or -1. The server refuses such a request with `clock_drift`.
 */
export function findClockDrift(messages: readonly Message[], serverNowMs: number, maxDriftMs: number): number {
  // A server of the app's own calls it: a number or an object is no list of messages (it
  // read as none, -1), and a time that is not a number decides nothing (NaN > x is false).
  const why = !Array.isArray(messages) ? 'messages must be an array'
    : !Number.isFinite(serverNowMs) ? 'serverNowMs must be a finite number'
      : !(typeof maxDriftMs === 'number' && maxDriftMs >= 0) ? 'maxDriftMs must be a number of ms, 0 or more (Infinity: no limit)' : null;
  if (why !== null) throw invalidArgument(`findClockDrift: ${why}`);
  for (let i = 0; i < messages.length; i++) {
    const hlc = (messages[i] as Message | null)?.hlc;
    if (typeof hlc !== 'string') throw invalidArgument(`findClockDrift: message ${i} has no hlc`);
    if (hlcMillis(hlc) - serverNowMs > maxDriftMs) return i;
  }
  return -1;
}
