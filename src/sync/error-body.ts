/**
 * The start of a refusal's body, for `errorFromResponse` (round 64, attacker review). A
 * protocol error object is a few hundred bytes; a hostile server or proxy's 4xx body may never
 * end. `text()` read all of it into memory, bounded only by the caller's timeout (the poke
 * stream's 75 s idle watch): gigabytes on a fast link. What is past `max` is never read.
 */

/** Bytes of a refusal read at most: far over any protocol error object (docs/protocol.md §7). */
export const ERROR_BODY_MAX = 64 * 1024;

/** The body's first `max` bytes as text (a character cut at the end becomes U+FFFD, as text() would); the rest is cancelled. */
export async function errorBodyText(response: Response, max = ERROR_BODY_MAX): Promise<string> {
  const body = response.body as ReadableStream<Uint8Array> | null | undefined;
  // A fetch that cannot stream (React Native's own) has only text(): nothing to bound it by.
  if (typeof body?.getReader !== 'function' || typeof TextDecoder !== 'function') return response.text();
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value ?? new Uint8Array(0);
      const taken = chunk.subarray(0, Math.max(0, max - size));
      size += chunk.length;
      text += decoder.decode(taken, { stream: true });
      if (size >= max) break;
    }
  } finally {
    // Past the bound, or failed: the rest is not wanted, and its connection goes.
    reader.cancel().catch(() => {});
  }
  return text + decoder.decode();
}
