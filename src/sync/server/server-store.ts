/**
 * The server-store contract: what a Fieldsync server needs from its database. The reference
 * server ships SQLite and PostgreSQL stores; `fieldsync/testing` has the conformance suite
 * every server store must pass, with compaction on and off.
 */
import type { Message, ServerMessage } from '../message.ts';
import type { MaybePromise } from '../store.ts';

export interface PushResult {
  /** How many pushed messages the server now holds or has superseded (all of them). */
  readonly accepted: number;
  /**
   * How many were new to the server and stored (0 for a pure re-push). The push gave them
   * the ids after the user's greatest id before it, one each: `maxId - stored` was that id.
   */
  readonly stored: number;
  /** The user's greatest id after the push. */
  readonly maxId: number;
}

export interface PullOptions {
  /** Return messages with `id > cursor`. */
  readonly cursor: number;
  /** Return at most this many. */
  readonly limit: number;
  /** Leave out messages whose `hlc` ends in this clientId (the caller's own). */
  readonly excludeClientId: string;
  /**
   * Leave none out after all: the caller asked for its own messages too (a request's `own`,
   * docs/protocol.md "Own messages"). A store that ignores it leaves them out, as before:
   * its clients then never get back what a backup of their store lost.
   */
  readonly includeOwn?: boolean;
}

export interface PullResult {
  /** In increasing id order. */
  readonly messages: readonly ServerMessage[];
  /**
   * The caller's new cursor: the last returned id when `more`, otherwise the user's greatest
   * id (read in the same snapshot as the messages), and never less than the cursor sent.
   */
  readonly cursor: number;
  /**
   * Messages after `cursor` remain: the page is full, or the store stopped early to bound
   * one request's work (fewer messages, possibly none, with the cursor where it stopped).
   * False only when nothing of other clients remains after the user's greatest id.
   */
  readonly more: boolean;
  /** The user's greatest id, read in the same snapshot (0 for a user with no messages). */
  readonly lastId: number;
  /** The user's epoch, read in the same snapshot ('' for a user with no messages). */
  readonly epoch: string;
}

/**
 * What a server keeps its users' messages in. An implementation checks each call's arguments
 * before it writes anything (`checkServerStoreCall`): the sync handler passes only what it
 * has checked, but an app, a script or a test may call a store itself.
 */
export interface ServerStore {
  /**
   * Stores a user's messages in one transaction, all or none, durable before it returns.
   * Idempotent on `(user, hlc)`. Ids are per user, start at 1, grow in acceptance order,
   * and become visible in id order: once a reader has seen id n, no id <= n appears later.
   * A user's first push gives the user's log a random epoch (see `renewEpoch`).
   *
   * With compaction, a message whose cell already holds a greater `hlc` is not kept, and a
   * message that beats its cell's stored message replaces it (under a new, greater id).
   */
  push(userId: string, messages: readonly Message[]): MaybePromise<PushResult>;
  /** Reads a page of a user's messages (see PullOptions and PullResult). */
  pull(userId: string, options: PullOptions): MaybePromise<PullResult>;
  /**
   * If the user's epoch is still `current`, replaces it with a new random one, durably.
   * Returns the user's epoch afterwards ('' for a user with no messages). The sync handler
   * calls it when a client's cursor is beyond the user's greatest id: the database lost
   * messages (it was restored from a backup), and every client must start over.
   */
  renewEpoch(userId: string, current: string): MaybePromise<string>;
  /** Releases the database. */
  close?(): MaybePromise<void>;
}

const EPOCH_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A new random epoch: 16 characters (96 bits), from `crypto.getRandomValues` where the runtime has it. */
export function newEpoch(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let out = '';
  for (const b of bytes) out += EPOCH_ALPHABET[b & 63];
  return out;
}
