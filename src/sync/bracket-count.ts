/**
 * One count of a JSON text's arrays, objects and members, shared by the client, which sizes a
 * push batch by it (request-size.ts), and the server, which bounds a request body's parse cost
 * by it (server/container-bound.ts). One function, so that the client never counts fewer than
 * the server does: a batch the client thinks within the bound is within it (round 63 made the
 * two count object members alike by hand; round 64 made them one). In the core, not under
 * server/, so that a client bundle takes it without any server code.
 */

/**
 * `[`, `{` and `:` in `text`, counted up to `max + 1` (all of them by default). An upper bound
 * of its arrays, objects and members (each `key: value`, by its colon): those inside strings
 * count too (an hlc holds two colons). String.indexOf finds a character far faster than a loop
 * over every one, and an ordinary push (long strings, a few objects) has few.
 */
export function bracketsUpTo(text: string, max = Infinity): number {
  let n = 0;
  // The loop stops at max + 1: the server's bound needs no more, and an attack's 4 MiB of
  // brackets is not counted to its end.
  for (const bracket of '[{:') {
    for (let i = text.indexOf(bracket); i !== -1 && n <= max; i = text.indexOf(bracket, i + 1)) n++;
  }
  return n;
}
