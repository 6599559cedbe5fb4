/**
 * The rules of ChunkList alone, on buffers the test holds (round 65, mutation testing of
 * chunk-list.ts): which chunks are kept as they came, which are gathered, where a gather
 * buffer is cut, and that nothing is lost, reordered or overwritten on the way.
 * body-small-chunks.test.ts is the same over a real socket.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkList } from '../chunk-list.ts';

const SMALL = 4 * 1024;
const GATHER = 64 * 1024;
const LOOSE = 64;

/** A chunk of `n` bytes, each `fill` (distinct per chunk, so a loss or overwrite shows). */
const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill & 0xff);
const joined = (list: ChunkList): Buffer => Buffer.concat(list.chunks);
// Compared as booleans: a failing toEqual of two 64 KiB buffers takes minutes to print.
const sameBytes = (a: Buffer | undefined, b: Buffer): boolean => a !== undefined && a.equals(b);

afterEach(() => vi.restoreAllMocks());

/** The first LOOSE chunks of one byte, which are kept as they came. */
function looseStart(list: ChunkList): Buffer[] {
  const sent: Buffer[] = [];
  for (let i = 0; i < LOOSE; i++) {
    const c = bytes(1, i);
    sent.push(c);
    list.push(c);
  }
  return sent;
}

describe('ChunkList', () => {
  it('keeps the first 64 small chunks as they came, and gathers the 65th', () => {
    const list = new ChunkList();
    const sent = looseStart(list);
    expect(list.chunks).toHaveLength(LOOSE);
    list.chunks.forEach((c, i) => expect(c === sent[i]).toBe(true));
    const next = bytes(3, 200);
    list.push(next);
    expect(list.chunks).toHaveLength(LOOSE); // gathered, not yet sealed
    list.seal();
    expect(list.chunks).toHaveLength(LOOSE + 1);
    expect(list.chunks[LOOSE] === next).toBe(false);
    expect(sameBytes(list.chunks[LOOSE], next)).toBe(true);
    // The sealed copy is its own memory, just its bytes (no pool, no 64 KiB behind it).
    expect(list.chunks[LOOSE]?.buffer.byteLength).toBe(3);
  });

  it('keeps a chunk of 4 KiB or more as it came, even past the loose ones', () => {
    const list = new ChunkList();
    looseStart(list);
    const big = bytes(SMALL, 7);
    list.push(big);
    expect(list.chunks[LOOSE] === big, 'the same buffer').toBe(true);
    const under = bytes(SMALL - 1, 8);
    list.push(under);
    expect(list.chunks).toHaveLength(LOOSE + 1); // gathered
    list.seal();
    expect(list.chunks[LOOSE + 1] === under).toBe(false);
    expect(sameBytes(list.chunks[LOOSE + 1], under)).toBe(true);
  });

  it('seals the gathered bytes before a large chunk, in order, and seals nothing when nothing is gathered', () => {
    const list = new ChunkList();
    const sent = looseStart(list);
    const small = bytes(5, 100);
    const big1 = bytes(SMALL, 101);
    const big2 = bytes(SMALL + 1, 102);
    list.push(small);
    list.push(big1);
    list.push(big2);
    list.seal();
    list.seal();
    expect(list.chunks.map((c) => c.length)).toEqual([...sent.map(() => 1), 5, SMALL, SMALL + 1]);
    expect(list.chunks[LOOSE + 1] === big1, 'the same buffer').toBe(true);
    expect(list.chunks[LOOSE + 2] === big2, 'the same buffer').toBe(true);
    expect(sameBytes(joined(list), Buffer.concat([...sent, small, big1, big2])), 'the bytes, in order').toBe(true);
  });

  it('fills a gather buffer to 64 KiB exactly and keeps it, not a copy; the next one starts anew', () => {
    const list = new ChunkList();
    const sent = looseStart(list);
    const alloc = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const pieces: Buffer[] = [];
    // 16 × 4095 + 16 = 65,536: the last piece fills the buffer to the byte.
    for (let i = 0; i < 16; i++) pieces.push(bytes(SMALL - 1, i + 1));
    pieces.push(bytes(16, 50));
    // A second buffer's worth, and 10 bytes over it.
    for (let i = 0; i < 16; i++) pieces.push(bytes(SMALL - 1, i + 60));
    pieces.push(bytes(16, 90));
    pieces.push(bytes(10, 91));
    for (const p of pieces) list.push(p);
    list.seal();
    expect(list.chunks.map((c) => c.length)).toEqual([...sent.map(() => 1), GATHER, GATHER, 10]);
    expect(sameBytes(joined(list), Buffer.concat([...sent, ...pieces])), 'the bytes, in order').toBe(true);
    // Three 64 KiB gather buffers (the third for the last 10 bytes), then those 10 bytes'
    // own copy: the two full buffers are the chunks themselves, never copied.
    expect(alloc.mock.calls.map((c) => c[0])).toEqual([GATHER, GATHER, GATHER, 10]);
    expect(list.chunks[LOOSE] === alloc.mock.results[0]?.value, 'the same buffer').toBe(true);
    expect(list.chunks[LOOSE + 1] === alloc.mock.results[1]?.value, 'the same buffer').toBe(true);
  });

  it('a body that ends on a full gather buffer keeps that buffer as its chunk: one allocation', () => {
    const list = new ChunkList();
    looseStart(list);
    const alloc = vi.spyOn(Buffer, 'allocUnsafeSlow');
    for (let i = 0; i < 32; i++) list.push(bytes(GATHER / 32, i));
    list.seal();
    expect(alloc).toHaveBeenCalledTimes(1);
    expect(list.chunks[LOOSE] === alloc.mock.results[0]?.value, 'the same buffer').toBe(true);
    expect(list.chunks[LOOSE]?.length).toBe(GATHER);
  });

  it('cuts a gather buffer before a chunk that would overflow it: every byte kept, in order', () => {
    const list = new ChunkList();
    const sent = looseStart(list);
    const pieces: Buffer[] = [];
    for (let i = 0; i < 40; i++) pieces.push(bytes(3000 + i, i + 1));
    for (const p of pieces) list.push(p);
    list.seal();
    expect(sameBytes(joined(list), Buffer.concat([...sent, ...pieces])), 'the bytes, in order').toBe(true);
    for (const c of list.chunks.slice(LOOSE)) expect(c.length).toBeLessThanOrEqual(GATHER);
    // 3000..3021 fill the first buffer to 66,231 > 65,536: it is cut after 21 pieces.
    expect(list.chunks[LOOSE]?.length).toBe(pieces.slice(0, 21).reduce((n, p) => n + p.length, 0));
  });

  it('reuses a sealed gather buffer without touching what was sealed from it', () => {
    const list = new ChunkList();
    const sent = looseStart(list);
    const a = bytes(100, 1);
    const big = bytes(SMALL, 2);
    const b = bytes(200, 3);
    list.push(a);
    list.push(big); // seals a's copy
    list.push(b); // into the same gather buffer, from its start
    list.seal();
    expect(list.chunks.map((c) => c.length)).toEqual([...sent.map(() => 1), 100, SMALL, 200]);
    expect(sameBytes(joined(list), Buffer.concat([...sent, a, big, b])), 'the bytes, in order').toBe(true);
  });

  it('clear forgets the chunks and the gathered bytes: the next body starts loose again', () => {
    const list = new ChunkList();
    looseStart(list);
    list.push(bytes(100, 9)); // gathered
    list.clear();
    expect(list.chunks).toHaveLength(0);
    list.seal();
    expect(list.chunks).toHaveLength(0);
    const first = bytes(2, 77);
    list.push(first);
    expect(list.chunks).toHaveLength(1);
    expect(list.chunks[0] === first, 'the same buffer').toBe(true);
    const sent = [first, ...Array.from({ length: LOOSE - 1 }, (_, i) => bytes(1, i))];
    for (const c of sent.slice(1)) list.push(c);
    const gathered = bytes(4, 55);
    list.push(gathered);
    list.seal();
    expect(sameBytes(joined(list), Buffer.concat([...sent, gathered])), 'the bytes, in order').toBe(true);
    expect(sameBytes(list.chunks[LOOSE], gathered)).toBe(true);
  });
});
