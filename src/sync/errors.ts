/**
 * Every error Fieldsync throws is a `FieldsyncError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages. Protocol error codes (docs/protocol.md §7)
 * keep their wire spelling.
 */

/** Error codes of the wire protocol, docs/protocol.md section 7. */
export type ProtocolErrorCode =
  | 'invalid_request'
  | 'invalid_message'
  | 'clock_drift'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

/** Codes of errors raised on the client side. */
export type LocalErrorCode =
  | 'invalid_argument' // a public function was called with bad input
  | 'schema' // a write or a schema declaration breaks the schema
  | 'clock_overflow' // no timestamp left: the clock reached the last millisecond of year 9999
  | 'store' // the local store failed or broke its contract
  | 'store_stalled' // a store call has not settled within storeStallMs (status, createSyncClient, close)
  | 'network' // the server could not be reached
  | 'invalid_response' // the server answered something that is not the protocol
  | 'closed'; // the client was closed

export type ErrorCode = ProtocolErrorCode | LocalErrorCode;

/*
 * Fields are plain (no `declare`): React Native's Babel preset refuses `declare` fields (its
 * Flow plugin sees every file), which broke Metro builds from source. Each is still set in its
 * constructor only; a subclass that narrows one (ProtocolError's `code`) sets it again, since
 * its own field starts out undefined once super() returns.
 */
export class FieldsyncError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldsyncError';
    this.code = code;
  }
}

/** Bad input to a public function, or a message that breaks docs/protocol.md section 3. */
export class ValidationError extends FieldsyncError {
  /** Position of the offending item when the input was a list. */
  readonly index: number | undefined;
  constructor(
    code: 'invalid_argument' | 'invalid_message' | 'invalid_request',
    message: string,
    index?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ValidationError';
    this.index = index;
  }
}

/**
 * Bad input to a public function: the one way every check of an argument fails, so that
 * each such error is a ValidationError with the code `invalid_argument` (docs/api.md).
 */
export const invalidArgument = (message: string, cause?: unknown): ValidationError =>
  new ValidationError('invalid_argument', message, undefined, cause === undefined ? undefined : { cause });

/**
 * A function the app gave (an option such as `token` or `now`, or a getter of a value it
 * writes) threw: a ValidationError naming it, with the app's error as `cause`. Not the raw
 * error: by the time it surfaces it may be far from the call (a background sync's status,
 * where only a code and a message are kept), or inside a store's transaction, whose guard
 * would otherwise blame the store.
 */
export const threw = (what: string, err: unknown): ValidationError =>
  invalidArgument(`${what} threw: ${errorText(err)}`, err);

/**
 * Runs `read`, a public function's reading of an app's argument (options, a declaration):
 * what the argument's own getter or Proxy throws is `threw(what)`, as for a written value,
 * and the function's own typed errors pass as they are. Until round 56 such a throw reached
 * the app raw from `defineSchema`, `createSyncClient`, `createHttpRemote` and the others.
 */
export function reading<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw err instanceof FieldsyncError ? err : threw(what, err);
  }
}

/**
 * What a thrown or given value says: an Error's message, or the value as text. It never
 * throws itself: `String()` does for an object without a prototype (`Object.create(null)`)
 * or a revoked Proxy, which would turn the report of an app's or a store's failure into an
 * untyped TypeError of its own.
 */
export function errorText(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return `[${typeof err}]`;
  }
}

/** A write (or a schema declaration) that breaks the declared schema. */
export class SchemaError extends FieldsyncError {
  constructor(message: string) {
    super('schema', message);
    this.name = 'SchemaError';
  }
}

/** The hybrid logical clock cannot issue a timestamp. */
export class ClockError extends FieldsyncError {
  constructor(message: string) {
    super('clock_overflow', message);
    this.name = 'ClockError';
  }
}

/** The local store failed. Nothing of the failed operation was written. */
export class StoreError extends FieldsyncError {
  constructor(message: string, cause?: unknown) {
    super('store', message, { cause });
    this.name = 'StoreError';
  }
}

/**
 * A call to the store has not settled within `storeStallMs` (a database locked by another
 * process, an IndexedDB upgrade blocked by another tab, a driver that lost its callback).
 * Not a failure: the call may still settle, and its commit still land (whole, or not at all).
 * The client's status shows it (state `error`) until the call settles; createSyncClient and
 * close(), which have no status to show it, reject with it (store-stall.ts).
 */
export class StoreStalledError extends FieldsyncError {
  /** The store function, as `commit()` or `messages(pending)`. */
  readonly call: string;
  /** The threshold it passed, in ms. */
  readonly ms: number;
  constructor(call: string, ms: number) {
    super('store_stalled', `the store's ${call} has not settled after ${ms} ms`);
    this.name = 'StoreStalledError';
    this.call = call;
    this.ms = ms;
  }
}

/** The client was closed; no further operations are possible. */
export class ClosedError extends FieldsyncError {
  constructor() {
    super('closed', 'the sync client is closed');
    this.name = 'ClosedError';
  }
}

/** The server could not be reached (offline, DNS, refused, reset, timeout). */
export class NetworkError extends FieldsyncError {
  constructor(message: string, cause?: unknown) {
    super('network', message, { cause });
    this.name = 'NetworkError';
  }
}

/** The server answered with a protocol error (docs/protocol.md §7) or with something invalid. */
export class RemoteError extends FieldsyncError {
  /** The answer's HTTP status (for a malformed answer, the status it came with: branch on `code`). */
  readonly status: number;
  /** Position of the first offending message of the request, when the server named one. */
  readonly index: number | undefined;
  /** How long the server asked us to wait (429 `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The server's clock when it answered, when known (body or `Date` header), in ms. */
  readonly serverTime: number | undefined;
  /**
   * The answer was not the protocol's (no `{"error": ...}` body: a proxy's own page, round 63).
   * It says nothing of the sync server, so a 4xx of that kind passes, as a 5xx does.
   */
  readonly foreign: boolean;
  constructor(
    status: number,
    code: ProtocolErrorCode | 'invalid_response',
    message: string,
    extra: { index?: number | undefined; retryAfterMs?: number | undefined; serverTime?: number | undefined; foreign?: boolean | undefined; cause?: unknown } = {},
  ) {
    super(code, message, extra); // its `cause`, when it has one
    this.name = 'RemoteError';
    this.status = status;
    this.index = extra.index;
    this.retryAfterMs = extra.retryAfterMs;
    this.serverTime = extra.serverTime;
    this.foreign = extra.foreign === true;
  }

  /**
   * 5xx, 408, 429, malformed answers and a proxy's own pages (`foreign`; a 401 aside) pass: the
   * client keeps its messages and retries. Any other is permanent: the scheduler stops
   * retrying it by itself (sync-scheduler.ts). A load balancer's 404 while a deploy swaps the
   * server, or a WAF's 403, stopped a client for good in round 62, until its user acted.
   */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429 || this.code === 'invalid_response' || (this.foreign && this.status !== 401);
  }
}

/**
 * An answer refused for its size even at one message a page (request-smaller.ts): no smaller
 * request can be read, so it is permanent (`transient` false), unlike another malformed answer.
 * A class of its own, so that an app can tell it from the rest; still a RemoteError
 * (`invalid_response`, status 200), so that what catches those catches it.
 */
export class AnswerTooLargeError extends RemoteError {
  constructor(message: string, cause?: unknown) {
    super(200, 'invalid_response', message, { cause });
    this.name = 'AnswerTooLargeError';
  }

  override get transient(): boolean {
    return false;
  }
}

/** A `200` answer that is not the protocol: the one way each such check fails (an `invalid_response` RemoteError). */
export const badAnswer = (message: string, cause?: unknown): RemoteError =>
  new RemoteError(200, 'invalid_response', message, cause === undefined ? {} : { cause });

/** A `200` answer whose body breaks docs/protocol.md §5: `why` names what. */
export const invalidAnswer = (why: string, cause?: unknown): RemoteError => badAnswer(`invalid sync response: ${why}`, cause);

/** A short, safe description of any thrown value, for status displays and logs. */
export function describeError(err: unknown): { code: string; message: string } {
  return { code: err instanceof FieldsyncError ? err.code : 'internal', message: errorText(err) };
}
