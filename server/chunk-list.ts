/**
 * A body's chunks as body-reader.ts keeps them, small ones gathered (round 64, attacker
 * review). Node hands a body over as the socket reads it: a client that sends it a few bytes a
 * segment (paced, so that each read finds only those) made tens of thousands of chunks, each a
 * Buffer of about 220 bytes of heap: 300 KB arrived as 36,216 chunks and took 8 MB of heap,
 * 30 MB of RSS; a 4 MiB body so sent holds over 100 MB, while the per-user bound counts its
 * bytes (16 bodies), and the parse worker then decoded each chunk on its own. Past LOOSE
 * chunks, those under SMALL bytes are copied into one buffer of GATHER bytes; the large ones
 * (a push on a real link: 64 KiB reads) are kept as they are, never copied (issue 12).
 */

const SMALL = 4 * 1024;
const GATHER = 64 * 1024;
/** Chunks kept as they are before small ones are gathered: an ordinary body is never copied. */
const LOOSE = 64;

export class ChunkList {
  readonly chunks: Buffer[] = [];
  private gather: Buffer | null = null;
  private used = 0;

  push(chunk: Buffer): void {
    if (chunk.length >= SMALL || (this.gather === null && this.chunks.length < LOOSE)) {
      this.seal();
      this.chunks.push(chunk);
      return;
    }
    if (this.gather !== null && this.used + chunk.length > GATHER) this.seal();
    this.gather ??= Buffer.allocUnsafeSlow(GATHER);
    chunk.copy(this.gather, this.used);
    this.used += chunk.length;
  }

  /** The gathered bytes as a chunk of their own (its own memory: no pool, nothing beyond them). */
  seal(): void {
    if (this.gather === null || this.used === 0) return;
    if (this.used === GATHER) {
      this.chunks.push(this.gather);
      this.gather = null;
    } else {
      const sealed = Buffer.allocUnsafeSlow(this.used);
      this.gather.copy(sealed, 0, 0, this.used);
      this.chunks.push(sealed);
    }
    this.used = 0;
  }

  clear(): void {
    this.chunks.length = 0;
    this.gather = null;
    this.used = 0;
  }
}
