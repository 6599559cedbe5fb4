/**
 * The arguments of a server store's methods, checked. The sync handler calls a store only with
 * what it has checked (a verified user, a parsed request); an app that calls the memory server
 * store itself (a test, a server of its own) may not, and a user id that is not a string, or
 * messages that are not an array of messages, would be stored under the wrong key or fail
 * with a TypeError half-way. Each check answers why, or null, as option-keys.ts does.
 */
import { messageError } from '../message.ts';

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
  if (typeof options !== 'object' || options === null) return 'options must be an object';
  const o = options as Record<string, unknown>;
  if (!isCount(o.cursor, 0)) return 'options.cursor must be an integer, 0 or more';
  if (!isCount(o.limit, 1)) return 'options.limit must be an integer, 1 or more';
  if (typeof o.excludeClientId !== 'string') return 'options.excludeClientId must be a string';
  if (o.includeOwn !== undefined && typeof o.includeOwn !== 'boolean') return 'options.includeOwn must be a boolean or absent';
  return null;
}
