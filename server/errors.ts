/**
 * Error replies (docs/protocol.md §7): `{"error": {"code", "message", "index"?}}` with the status
 * the sync core assigns to each code, for every refusal the server makes, including the
 * ones Fastify raises itself (body too large, wrong media type, bad JSON).
 */
import type { FastifyReply } from 'fastify';
import { ERROR_STATUS, ProtocolError, type ErrorBody, type ProtocolErrorCode } from 'fieldsync/server';
import { noteRefusal } from './request-context.ts';
import { isNewerSchema } from './stores/newer-schema.ts';
import { StoreClosingError } from './stores/postgres-statements.ts';
import { DatabaseTimeoutError } from './stores/postgres-transaction.ts';

export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
  /** True when the server failed (500): the error deserves a log line of its own. */
  readonly internal: boolean;
  /** Headers the answer carries (`Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Seconds a client is asked to wait while the database cannot be reached. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;
/** Seconds a client is asked to wait while the server's storage is full: an operator has to make room. */
export const FULL_RETRY_AFTER_S = 60;

/** SQLite's primary result code for a full disk (or a database at its max_page_count). */
const SQLITE_FULL = 13;

/**
 * Whether `err` says the server's storage is full: SQLite's SQLITE_FULL (node:sqlite's
 * `errcode`, extended codes included), PostgreSQL's `disk_full` (53100). A passing failure,
 * like an unreachable database: nothing was stored, and the push succeeds once there is room.
 */
export function isStorageFull(err: unknown): boolean {
  const { code, errcode } = (err ?? {}) as { code?: unknown; errcode?: unknown };
  if (code === '53100') return true;
  return typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL;
}

// SQLSTATE classes and codes of a database that cannot be reached right now: connection
// exceptions (08), an administrator's or a crash's shutdown and a database still starting
// (57P01-57P03), too many connections (53300), and a statement the database cancelled at its
// `statement_timeout` (57014), which the store sets to fire before its own client-side one: a
// database too slow to answer, as a frozen one is (DatabaseTimeoutError).
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300|57014)$/;
const UNAVAILABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// What `pg` and `pg-pool` throw without a code: a connection that ended, a pool that could not connect in time.
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether `err` says the database cannot be reached right now (PostgreSQL restarting, a
 * failover, a network cut): a passing failure of the server's, answered 503 `unavailable`
 * with `Retry-After`, not a fault (500) logged with its stack on every request meanwhile.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  // A database that stopped answering without closing the connection (frozen, a black hole).
  if (err instanceof DatabaseTimeoutError) return true;
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
  // A socket's own failure (it names its system call), not a request whose client went away.
  if (typeof code === 'string' && UNAVAILABLE_NETWORK.has(code) && typeof syscall === 'string') return true;
  return err instanceof Error && UNAVAILABLE_MESSAGE.test(err.message);
}

/**
 * The operator's warning for a 503 `unavailable` (logged once per 10 s, app.ts): what happened,
 * as far as the error tells. PostgreSQL stopping or restarting ends the server's sessions with
 * `57P01` (a fast or immediate stop: "terminating connection due to administrator command",
 * "... immediate shutdown command") or `57P02` (its crash restart, after one of its processes
 * died), and refuses new ones with `57P03` while it starts or stops; until round 59 each was
 * logged as "the database cannot be reached", like a network cut. This process's own stop
 * refuses with `57P01` too (StoreClosingError), and says so: no fault of the database's.
 */
export function unavailableWarning(err: unknown): string {
  // Its message names both versions (newer-schema.ts).
  if (isNewerSchema(err)) return (err as Error).message;
  if (isStorageFull(err)) return "the database's storage is full; answering 503 until there is room";
  if (err instanceof StoreClosingError) return 'this server is stopping: a request still waiting on the database is answered 503, for its client to send again to another process';
  switch ((err as { code?: unknown } | null)?.code) {
    case '57P01':
      return 'PostgreSQL is shutting down or restarting (it ended our sessions: 57P01); answering 503 until it accepts connections again';
    case '57P02':
      return 'PostgreSQL is restarting after one of its processes crashed (57P02); answering 503 until it accepts connections again';
    case '57P03':
      return 'PostgreSQL is starting up or shutting down and accepts no connections yet (57P03); answering 503 until it does';
  }
  // A backend killed (SIGKILL, the OOM killer) or a reset on the way: the statement's socket
  // closed under it. Until round 65 this read "cannot be reached", as a refused connection does;
  // the database may well be up, and the pool's next connection the fix (pg discards the broken one).
  if (isCutMidStatement(err)) return CUT_MID_STATEMENT;
  return 'the database cannot be reached; answering 503 until it can';
}
const CUT_MID_STATEMENT = 'our connection to the database was cut while a statement ran (its PostgreSQL backend was killed, or the network reset it): answering 503 (the client retries); the pool drops that connection and opens a new one for the next request';
const isCutMidStatement = (err: unknown): boolean =>
  (err as { code?: unknown } | null)?.code === 'ECONNRESET' || (err instanceof Error && err.message.startsWith('Connection terminated unexpectedly'));

export function protocolError(code: ProtocolErrorCode, message: string): ErrorReply {
  return { status: ERROR_STATUS[code], body: { error: { code, message } }, internal: false };
}

/** Sends a protocol error reply; the request's log line says why (its code and message, which never quote a value). */
export function sendError(reply: FastifyReply, e: ErrorReply, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  noteRefusal(reply.request, e.body.error.code, e.body.error.message);
  reply.code(e.status).header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.send(e.body);
}

/** The protocol error for anything thrown while handling a request. */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof ProtocolError) return { status: err.status, body: err.toBody(), internal: false };
  const code = (err as { code?: unknown } | null)?.code;
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return protocolError('payload_too_large', 'the request body is over the server\'s limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return protocolError('unsupported_media_type', 'the body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return protocolError('invalid_request', 'the body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return protocolError('invalid_request', 'the body does not match its Content-Length');
  }
  // Another process migrated the database past this one's code: its clients go on elsewhere.
  if (isNewerSchema(err)) {
    return { ...protocolError('unavailable', 'this server is older than its database; try again shortly'), headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) } };
  }
  if (isStorageFull(err)) {
    return { ...protocolError('unavailable', "the server's storage is full; try again later"), headers: { 'Retry-After': String(FULL_RETRY_AFTER_S) } };
  }
  if (isDatabaseUnavailable(err)) {
    return { ...protocolError('unavailable', 'the database cannot be reached right now; try again shortly'), headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) } };
  }
  // Any other refusal of Fastify's (a malformed URL, an aborted upload) is the client's.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return protocolError('invalid_request', 'the request is malformed');
  }
  return { ...protocolError('internal', 'internal server error'), internal: true };
}

/**
 * What of an unexpected error may be logged: its type, code and stack frames. The message
 * of a SyntaxError is left out, since JSON.parse quotes the text it failed on, and that
 * could be a message value.
 */
export function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
  return {
    type: err.name,
    ...((err as { code?: unknown }).code !== undefined ? { code: String((err as { code?: unknown }).code) } : {}),
    ...(err.name === 'SyntaxError' ? {} : { message: err.message.slice(0, 500) }),
    stack: frames,
  };
}
