/**
 * The memory store's answer to `winners()` (the contract's map of each cell's hlc by
 * `cellKey`) without a key built and hashed per cell. A pulled page asks about a thousand
 * cells, and what reads the answer on every page only walks its hlcs: the store guard's
 * check and the merge's newest hlc. The merge looks a key up only for a message that is not
 * newer than every winner, which a pull that catches up never has. So the hlcs are listed,
 * and the keyed map is built on the first call that needs a key: from the hlcs as they were
 * at the call, and the keys of the cells asked (the caller's objects; the library's are its
 * page's messages, which nothing changes).
 */
import { cellKey } from './message.ts';
import type { Cell } from './store.ts';

/** `hlcs[i]` is the winner of `cells[i]`, and no cell is listed twice: the list is the map's values, in its order. */
export function listedWinners(cells: readonly Cell[], hlcs: readonly string[]): ReadonlyMap<string, string> {
  let keyed: Map<string, string> | undefined;
  const map = (): Map<string, string> => (keyed ??= new Map(cells.map((c, i) => [cellKey(c.table, c.row, c.column), hlcs[i] as string])));
  return {
    size: hlcs.length,
    get: (key) => map().get(key),
    has: (key) => map().has(key),
    values: () => hlcs.values(),
    keys: () => map().keys(),
    entries: () => map().entries(),
    forEach(fn, thisArg) {
      map().forEach((v, k) => fn.call(thisArg, v, k, this));
    },
    [Symbol.iterator]: () => map().entries(),
  };
}
