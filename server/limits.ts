/** The server's limits and their defaults (each is a setting: see config.ts and the README). */
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_MAX_DRIFT_MS } from 'fieldsync/server';

export interface AppLimits {
  /** The largest request body, in bytes. */
  readonly bodyLimit: number;
  /** How far ahead of the server's clock a message's hlc may be, in ms. */
  readonly maxDriftMs: number;
  /** Interval of `: ping` comments on event streams, in ms. */
  readonly heartbeatMs: number;
  /** Sync requests in flight, in all and per user; more are refused with 429. */
  readonly maxInflight: number;
  readonly maxInflightPerUser: number;
  /** Open event streams, in all and per user; more are refused with 429. */
  readonly maxStreams: number;
  readonly maxStreamsPerUser: number;
  /** How long a shutdown waits for requests in flight before cutting connections, in ms. */
  readonly shutdownTimeoutMs: number;
}

export const DEFAULT_LIMITS: AppLimits = {
  bodyLimit: DEFAULT_BODY_LIMIT_BYTES,
  maxDriftMs: DEFAULT_MAX_DRIFT_MS,
  heartbeatMs: 20_000,
  maxInflight: 128,
  maxInflightPerUser: 16,
  maxStreams: 10_000,
  maxStreamsPerUser: 50,
  shutdownTimeoutMs: 10_000,
};
