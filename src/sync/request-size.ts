/**
 * The size of a push request, estimated before it is sent, so that a batch stays within the
 * request size the server takes (the configured one, or one learnt from its 413s).
 */
import { messageOf, utf8Length } from './message.ts';
import type { StoredMessage } from './store.ts';

/** A request's bytes besides its messages (clientId, cursor, limit, epoch, brackets), generously. */
export const REQUEST_OVERHEAD = 256;
/** A message's bytes in a request: its JSON and the comma after it. */
const messageBytes = (m: StoredMessage): number => utf8Length(JSON.stringify(messageOf(m))) + 1;

/** The longest prefix of `list` whose request stays within `maxBytes` (always at least one), and its request's bytes. */
export function takeWithin(list: readonly StoredMessage[], maxBytes: number): [StoredMessage[], number] {
  let bytes = REQUEST_OVERHEAD;
  let n = 0;
  for (; n < list.length; n++) {
    const more = messageBytes(list[n] as StoredMessage);
    if (bytes + more > maxBytes && n > 0) break;
    bytes += more;
  }
  return [list.slice(0, n), bytes];
}
