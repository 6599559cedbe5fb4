/** The server's limits and their defaults (each is a setting: see config.ts and the README). */
import { availableParallelism } from 'node:os';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_DRIFT_MS } from 'fieldsync/server';

export interface AppLimits {
  /** The largest request body, in bytes. */
  readonly bodyLimit: number;
  /** How far ahead of the server's clock a message's hlc may be, in ms. */
  readonly maxDriftMs: number;
  /** Interval of `: ping` comments on event streams, in ms. */
  readonly heartbeatMs: number;
  /**
   * Sync requests in flight. Per user: counted from the request's arrival, its body's upload
   * included (a slow upload holds only its own user's places). In all: counted once the body
   * has arrived, with `maxInflightBytes`. More are refused with 429.
   */
  readonly maxInflight: number;
  readonly maxInflightPerUser: number;
  /** Body bytes of the sync requests being processed, in all; more are refused with 429. */
  readonly maxInflightBytes: number;
  /**
   * How long a body may take to arrive before it must keep up MIN_BODY_BYTES_PER_SECOND on
   * average; also the longest pause within a body. In ms.
   */
  readonly bodyTimeoutMs: number;
  /**
   * Open connections from one address (an IPv6 one by its /64); requests on as many more get
   * 429, and more are closed as they open.
   */
  readonly maxConnectionsPerAddress: number;
  /** Open connections in all, from every address; more are closed as they open. */
  readonly maxConnections: number;
  /** Worker threads that parse and validate large bodies; 0: in the SQLite store's thread, or on the event loop. */
  readonly parseWorkers: number;
  /** Open event streams, in all and per user; more are refused with 429. */
  readonly maxStreams: number;
  readonly maxStreamsPerUser: number;
  /** How long a shutdown waits for requests in flight before cutting connections, in ms. */
  readonly shutdownTimeoutMs: number;
}

/** After the body timeout, a body must arrive at least this fast on average (as Apache's mod_reqtimeout). */
export const MIN_BODY_BYTES_PER_SECOND = 32 * 1024;
/** Bodies at least this large are parsed in a worker and stored in the heavy lane (see admission.ts). */
export const LARGE_BODY_BYTES = 64 * 1024;
/**
 * Sync bodies at most this large go to the SQLite store's pull thread first
 * (stores/pull-worker.ts), which answers those that push nothing from a read-only connection
 * of its own and hands the others on to the store's thread. A pull-only body is a few hundred
 * bytes (its client id, cursor, epoch and options); a body with messages is usually larger,
 * and a small one costs a parse of a few microseconds more on its way.
 */
export const PULL_BODY_BYTES = 2 * 1024;
/**
 * How often, at most, the SQLite store's WAL is checkpointed by its own thread while commits
 * come (stores/checkpoint-worker.ts): a few hundred pages each in a burst of max-size pushes,
 * so that the writer's own checkpoint, at 4,000, finds little left to copy. Every 200 ms left
 * it enough for commits of 40-80 ms; every 50 ms, none over 40 ms in two traced runs. The
 * ingest benchmark's rate and cores did not move either way (3 alternated pairs).
 */
export const CHECKPOINT_EVERY_MS = 50;
/**
 * The nice value of the parse workers' threads on Linux (ingest/parse-worker.ts): above the
 * server's other threads, so that parsing large bodies takes the CPU they leave. It costs
 * ingest nothing on an idle core; on a busy machine the small requests go first.
 */
export const PARSE_WORKER_NICE = 10;
/**
 * Large bodies handed on to be parsed and stored at once, in bytes (one always): the others
 * wait as bytes on the event loop's side. Parsed requests wait in the store's thread as many
 * small strings, and each one it takes in costs it a few milliseconds there and a share of
 * its garbage collections, which small syncs would wait for; two max-size bodies (one being
 * stored, the next parsed) keep the store busy all the same. See stores/store-thread.ts.
 */
export const PARSE_AHEAD_BYTES = 2 * 4 * 1024 * 1024;

/**
 * A large body with a declared length reserves its bytes in the admission before it is read
 * (routes/sync-route.ts, ingest/admission.ts), and keeps them while it arrives at this pace
 * at least: after a grace period, this average rate. A body that falls behind gives them back
 * and is admitted once read, like any other. So a slow upload holds nothing shared for long,
 * and only fast bodies (a 4 MiB one within 3 s) hold the budget while they arrive: a body
 * over a slower link would hold it for the whole upload, and 16 of them would cap the large
 * pushes the server takes below what its store can write.
 */
export const RESERVED_BODY_PACE = { graceMs: 1000, minBytesPerSecond: 2 * 1024 * 1024 } as const;
/**
 * How long a stopping server lets its store's statements in flight finish before it cancels
 * them (a PostgreSQL CancelRequest per connection in use: `stores/postgres-statements.ts`),
 * in ms; at most half the shutdown timeout, so that their 503s go out before connections are
 * cut. Why 1 s: a push runs in milliseconds (one of 1000 messages in about 20 ms, at the
 * measured 50,000 messages a second of docs/postgres.md), so a statement still running after
 * 1 s is not working but waiting: on a user's counter row another session holds (an
 * operator's open transaction, a process frozen mid-push), up to statement_timeout (30 s).
 * Waiting longer only delays the stop; cancelling sooner would cut pushes that were about to
 * commit on a loaded database, which their clients then send again. Until round 58 there was
 * no cancel, and the stop waited for statement_timeout.
 */
export const STORE_INTERRUPT_GRACE_MS = 1000;
/**
 * How long a connection whose body was refused unread stays open, unread, before it is closed
 * (refuse-unread.ts): time for the client to read the answer and drop it.
 */
export const REFUSAL_LINGER_MS = 2000;
/**
 * How long a new connection may take to send its request's headers, in ms. A real client
 * sends them at once; a socket that sends nothing holds a file descriptor, so it is closed
 * after this (checked every second).
 */
export const HEADERS_TIMEOUT_MS = 20_000;

/**
 * The largest request one valid message can need: a value of 64 KiB of JSON, its other fields
 * at their limits (a row id of 128 characters, escaped as JSON at worst) and the request
 * around it. A `--body-limit` below it refuses (413) valid messages, which every device then
 * sets aside for good: allowed (a server may want only small values), but said at start.
 */
export const ONE_MESSAGE_REQUEST_BYTES = 68 * 1024;

/** The warning for a body limit under one full message's request, or null. */
export function bodyLimitWarning(bodyLimit: number): string | null {
  if (bodyLimit >= ONE_MESSAGE_REQUEST_BYTES) return null;
  return `--body-limit is ${bodyLimit} bytes, under the ${ONE_MESSAGE_REQUEST_BYTES} a request with one message of the protocol's largest value needs: ` +
    "messages with values near 64 KiB will be refused (413), and every device sets them aside; they never sync";
}

export const DEFAULT_LIMITS: AppLimits = {
  bodyLimit: DEFAULT_BODY_LIMIT_BYTES,
  maxDriftMs: DEFAULT_MAX_DRIFT_MS,
  heartbeatMs: 20_000,
  maxInflight: 128,
  maxInflightPerUser: 16,
  maxInflightBytes: 16 * DEFAULT_BODY_LIMIT_BYTES,
  bodyTimeoutMs: 10_000,
  maxConnectionsPerAddress: 256,
  // Room for every realtime stream (maxStreams) and as many syncs besides.
  maxConnections: 20_000,
  // One core stays with the event loop (and the SQLite store): the others parse.
  parseWorkers: Math.min(8, Math.max(1, availableParallelism() - 1)),
  maxStreams: 10_000,
  maxStreamsPerUser: 50,
  shutdownTimeoutMs: 10_000,
};
