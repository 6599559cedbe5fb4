/**
 * The size of a push request, estimated before it is sent, so that a batch stays within the
 * request size the server takes (the configured one, or one learnt from its 413s), and within
 * the protocol's arrays and objects a request (MAX_REQUEST_CONTAINERS, round 62): a server
 * refuses more unparsed, and a 413 would also teach the client a smaller size in bytes, kept for
 * an hour, for batches that were never too large in bytes.
 */
import { messageOf, utf8Length } from './message.ts';
import { MAX_REQUEST_CONTAINERS } from './protocol.ts';
import type { StoredMessage } from './store.ts';

/** A request's bytes besides its messages (clientId, cursor, limit, epoch, brackets), generously. */
export const REQUEST_OVERHEAD = 256;
/** A request's arrays and objects besides its messages': the body and its `messages` array. */
const REQUEST_CONTAINERS = 2;

/**
 * `[` and `{` in a message's JSON: its arrays and objects, the message's own included, and any
 * bracket inside a string besides. Never fewer than the server counts, so a batch never goes
 * over; a bracket in a string only ends a batch sooner. indexOf finds them far faster than
 * a scan of every character, and most messages have one.
 */
function brackets(json: string): number {
  let n = 0;
  for (let i = json.indexOf('['); i !== -1; i = json.indexOf('[', i + 1)) n++;
  for (let i = json.indexOf('{'); i !== -1; i = json.indexOf('{', i + 1)) n++;
  return n;
}

/** The longest prefix of `list` whose request stays within `maxBytes` and the protocol's arrays and objects (always at least one), and its request's bytes. */
export function takeWithin(list: readonly StoredMessage[], maxBytes: number): [StoredMessage[], number] {
  let bytes = REQUEST_OVERHEAD;
  let containers = REQUEST_CONTAINERS;
  let n = 0;
  for (; n < list.length; n++) {
    const json = JSON.stringify(messageOf(list[n] as StoredMessage));
    // A message's bytes in a request: its JSON and the comma after it.
    const more = utf8Length(json) + 1;
    const moreContainers = brackets(json);
    if ((bytes + more > maxBytes || containers + moreContainers > MAX_REQUEST_CONTAINERS) && n > 0) break;
    bytes += more;
    containers += moreContainers;
  }
  return [list.slice(0, n), bytes];
}
