/**
 * A large request body as the pieces the socket delivered it in, handed to a parse worker
 * as they are: transferred, never joined on the event loop (issue 12, `/healthz` and a small
 * sync among max-size pushes).
 *
 * Why not one buffer: joining (or copying as it arrives) writes 4 MiB into fresh memory, and
 * each first write to a page of fresh memory is a page fault. On a virtual machine those cost
 * more than the copy itself: in a burst of max-size pushes they were a third of the event
 * loop's busy time, and every request waited behind them. The pieces are already in memory
 * of their own (Node's HTTP parser gives each body chunk its own), so moving them to another
 * thread costs nothing, and the parse worker decodes them one after another (parse-body.ts).
 */

/** The body's pieces, in order. */
export type BodyParts = readonly Uint8Array[];

/** True when `part` is the whole of its memory: it can be transferred without taking anything else along. */
function ownsMemory(part: Uint8Array): boolean {
  return part.byteOffset === 0 && part.buffer instanceof ArrayBuffer && part.buffer.byteLength === part.byteLength;
}

/**
 * The body as pieces that each have their memory to themselves, and the memory to transfer
 * with them. A piece that shares its memory (a slice of a larger buffer: Node's small-buffer
 * pool, or a chunk that ends where the next request begins) is copied, since transferring
 * its memory would take the other bytes from whoever holds them.
 */
export function transferableParts(body: Uint8Array | BodyParts): { parts: Uint8Array[]; transfer: ArrayBuffer[] } {
  const parts = (body instanceof Uint8Array ? [body] : body).map((part) => (ownsMemory(part) ? part : new Uint8Array(part)));
  return { parts, transfer: parts.map((part) => part.buffer as ArrayBuffer) };
}

/** The body's length in bytes. */
export function bodyLength(body: Uint8Array | BodyParts): number {
  if (body instanceof Uint8Array) return body.byteLength;
  let length = 0;
  for (const part of body) length += part.byteLength;
  return length;
}
