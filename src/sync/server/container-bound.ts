/**
 * The parse-cost bound of a request body (round 62, security review; docs/protocol.md §5,
 * "Parse cost"): at most MAX_REQUEST_CONTAINERS arrays, objects and object members (each
 * `key: value`, counted by its colon; round 63), checked on the text before JSON.parse sees
 * it. In the library since round 63 (was server/ingest/), so that a server built on the sync
 * handler gets it from `parseSyncBody` (sync-body.ts), the same code as the reference server's.
 *
 * Why before: JSON.parse costs by the arrays and objects it makes, not by bytes. A 4 MiB push
 * of empty arrays (`[],` is 3 bytes) makes over a million of them, and held a parse worker for
 * seconds, with another user's push waiting behind it (round 61 bounded only the queue). A
 * body under the bound parses in milliseconds, whatever its shape.
 *
 * Why members too (round 63, attacker review): V8 gives each new key of an object a hidden
 * class of its own, so keys never seen before cost microseconds each. 4,700 objects of 100
 * new keys each (4 MiB, about 4,500 containers, far under a bound on arrays and objects alone)
 * held a parse thread 1.5-2.3 s, as long as round 61's million empty arrays.
 */
import { bracketsUpTo } from '../bracket-count.ts';
import { MAX_REQUEST_CONTAINERS } from '../protocol.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const COLON = 0x3a;

/**
 * The arrays, objects and members of JSON `text`, outside strings, counted up to `max + 1`. Exact for
 * valid JSON; for anything else some number JSON.parse refuses anyway.
 */
function containersUpTo(text: string, max: number): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++; // an escape: the next character is no quote
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if ((c === OPEN_ARRAY || c === OPEN_OBJECT || c === COLON) && ++n > max) return n;
  }
  return n;
}

/**
 * True when `text` holds more arrays, objects and members than a request may. Each takes two
 * characters of its own at least (`[]`, `"":`), so a shorter text is never counted (every small body); a body with few brackets
 * is counted by indexOf alone; only one with many (an attack, or strings full of brackets)
 * takes the exact scan, which stops at the bound.
 */
export function overContainerBound(text: string, max = MAX_REQUEST_CONTAINERS): boolean {
  if (text.length < 2 * (max + 1)) return false;
  if (bracketsUpTo(text, max) <= max) return false;
  return containersUpTo(text, max) > max;
}
