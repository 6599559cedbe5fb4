/**
 * Pieces of bytes (a body's chunks, or a line's pieces) as one array, in order: one copy, so a
 * text of many pieces is decoded once. Shared by the client's answer reader (answer-lines.ts)
 * and the server's body parser (server/sync-body.ts); round 65 joined their two copies.
 */
export function joinBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const piece of pieces) size += piece.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
