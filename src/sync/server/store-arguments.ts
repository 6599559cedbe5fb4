/**
 * The arguments of a server store's methods, checked. The sync handler calls a store only with
 * what it has checked (a verified user, a parsed request); an app that calls a server store
 * itself (a test, a server of its own, a script) may not, and a user id that is not a string,
 * or messages that are not an array of messages, would be stored under the wrong key, bound
 * into SQL as what they are, or fail with a TypeError half-way. Each check answers why, or
 * null, as option-keys.ts does; `checkServerStoreCall` is the one every store calls (the
 * memory store here, the reference server's SQLite and PostgreSQL stores, and an app's own,
 * which the conformance suite holds to it).
 */
import { errorText, invalidArgument } from '../errors.ts';
import { messageError } from '../message.ts';
import { isObject } from '../option-keys.ts';

/** Why `userId` is not a user's id (a non-empty string), or null. */
export function userIdError(userId: unknown): string | null {
  return typeof userId === 'string' && userId.length > 0 ? null : 'userId must be a non-empty string';
}

/** Why `push(userId, messages)`'s arguments are not a user's id and an array of messages (docs/protocol.md §2), or null. */
export function pushArgumentsError(userId: unknown, messages: unknown): string | null {
  const why = userIdError(userId) ?? (Array.isArray(messages) ? null : 'messages must be an array');
  if (why !== null) return why;
  const checked = new Set<string>();
  for (let i = 0; i < (messages as unknown[]).length; i++) {
    const problem = messageError((messages as unknown[])[i], checked);
    if (problem !== null) return `message ${i}: ${problem}`;
  }
  return null;
}

const isCount = (n: unknown, min: number): boolean => Number.isSafeInteger(n) && (n as number) >= min;

/** Why `pull(userId, options)`'s arguments are not a user's id and PullOptions, or null. */
export function pullArgumentsError(userId: unknown, options: unknown): string | null {
  const why = userIdError(userId);
  if (why !== null) return why;
  if (!isObject(options)) return 'options must be an object';
  const o = options as Record<string, unknown>;
  if (!isCount(o.cursor, 0)) return 'options.cursor must be an integer, 0 or more';
  if (!isCount(o.limit, 1)) return 'options.limit must be an integer, 1 or more';
  if (typeof o.excludeClientId !== 'string') return 'options.excludeClientId must be a string';
  if (o.includeOwn !== undefined && typeof o.includeOwn !== 'boolean') return 'options.includeOwn must be a boolean or absent';
  return null;
}

/** Why `renewEpoch(userId, current)`'s arguments are not a user's id and an epoch, or null. */
export function renewArgumentsError(userId: unknown, current: unknown): string | null {
  return userIdError(userId) ?? (typeof current === 'string' ? null : 'current must be the epoch, a string');
}

const CALLS = { push: pushArgumentsError, pull: pullArgumentsError, renewEpoch: renewArgumentsError } as const;

/**
 * Throws a ValidationError (code `invalid_argument`, the message naming the method and why)
 * unless `userId` and `arg` are what the server-store contract passes to `method`: for a
 * server store of an app's own to call first, as the library's and the reference server's do.
 *
 * ```ts
 * push(userId, messages) {
 *   checkServerStoreCall('push', userId, messages); // before anything is written
 *   ...
 * }
 * ```
 */
export function checkServerStoreCall(method: keyof typeof CALLS, userId: unknown, arg: unknown): void {
  // A method that is no string (an object without a prototype, say) is named by errorText:
  // String() and a property lookup by it would throw a TypeError of their own.
  const check = typeof method === 'string' && Object.hasOwn(CALLS, method) ? CALLS[method] : undefined;
  if (check === undefined) throw invalidArgument(`checkServerStoreCall: method must be 'push', 'pull' or 'renewEpoch', not ${errorText(method).slice(0, 100)}`);
  const why = check(userId, arg);
  if (why !== null) throw invalidArgument(`${method}: ${why}`);
}
