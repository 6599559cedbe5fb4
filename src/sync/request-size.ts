/**
 * The size of a push request, estimated before it is sent, so that a batch stays within the
 * request size the server takes (the configured one, or one learnt from its 413s), and within
 * the protocol's arrays, objects and members a request (MAX_REQUEST_CONTAINERS, round 62;
 * members since round 63): a server
 * refuses more unparsed, and a 413 would also teach the client a smaller size in bytes, kept for
 * an hour, for batches that were never too large in bytes.
 */
import { bracketsUpTo } from './bracket-count.ts';
import { messageOf, utf8Length } from './message.ts';
import { MAX_REQUEST_CONTAINERS } from './protocol.ts';
import type { StoredMessage } from './store.ts';

/** A request's bytes besides its messages (clientId, cursor, limit, epoch, brackets), generously. */
export const REQUEST_OVERHEAD = 256;
/**
 * A request's arrays, objects and members besides its messages': the body, its `messages` array,
 * and its members (clientId, cursor, messages, limit, epoch, format, pages, generously).
 */
const REQUEST_CONTAINERS = 2 + 8;

/** The longest prefix of `list` whose request stays within `maxBytes` and the protocol's arrays, objects and members (always at least one), and its request's bytes. */
export function takeWithin(list: readonly StoredMessage[], maxBytes: number): [StoredMessage[], number] {
  let bytes = REQUEST_OVERHEAD;
  let containers = REQUEST_CONTAINERS;
  let n = 0;
  for (; n < list.length; n++) {
    const json = JSON.stringify(messageOf(list[n] as StoredMessage));
    // A message's bytes in a request: its JSON and the comma after it.
    const more = utf8Length(json) + 1;
    // Counted by the server's own count (bracket-count.ts), which never counts fewer than a
    // parse makes: a hlc's colons and any bracket in a string count too, so a scalar message
    // counts 8 and 5,000 of them, the largest batch, stay within the bound; one in a string only
    // ends a batch sooner.
    const moreContainers = bracketsUpTo(json);
    if ((bytes + more > maxBytes || containers + moreContainers > MAX_REQUEST_CONTAINERS) && n > 0) break;
    bytes += more;
    containers += moreContainers;
  }
  return [list.slice(0, n), bytes];
}
