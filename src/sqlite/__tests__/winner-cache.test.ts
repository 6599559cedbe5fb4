/** The winners the SQLite store remembers from its local writes (winner-cache.ts). */
import { describe, expect, it } from 'vitest';
import type { CellWrite } from '../../sync/index.ts';
import { createWinnerCache } from '../winner-cache.ts';

const cell = (row: string, column = 'title') => ({ table: 'notes', row, column });
const wrote = (row: string, hlc: string | null, column = 'title'): CellWrite => ({ ...cell(row, column), value: 'v', hlc });

describe('the winner cache', () => {
  it('answers only when it knows every cell: the greatest winner, null when none has one', () => {
    const cache = createWinnerCache();
    expect(cache.newest([cell('a')])).toBeUndefined();
    cache.committed([wrote('a', 'h1'), wrote('b', null), wrote('c', 'h3')]);
    expect(cache.newest([cell('a'), cell('b'), cell('c')])).toBe('h3');
    expect(cache.newest([cell('b')])).toBeNull();
    expect(cache.newest([cell('a'), cell('d')])).toBeUndefined();
    expect(cache.newest([cell('a', 'done')])).toBeUndefined();
    expect(cache.newest([{ ...cell('a'), table: 'tags' }])).toBeUndefined();
    cache.committed([wrote('c', 'h0'), wrote('b', 'h2')]);
    expect(cache.newest([cell('a'), cell('b'), cell('c')])).toBe('h2'); // the last write of a cell is what it holds
    cache.clear();
    expect(cache.newest([cell('a')])).toBeUndefined();
    cache.committed([wrote('d', 'h4')]); // learning again after a clear: nothing from before comes back
    expect(cache.newest([cell('a')])).toBeUndefined();
    expect(cache.newest([cell('c'), cell('d')])).toBeUndefined();
    expect(cache.newest([cell('d')])).toBe('h4');
  });

  it('counts cells, not writes, and starts over once it knows its limit', () => {
    const cache = createWinnerCache(3);
    cache.committed([wrote('a', 'h1'), wrote('a', 'h2'), wrote('a', 'h3', 'done'), wrote('b', 'h4')]);
    expect(cache.size).toBe(3);
    expect(cache.newest([cell('a'), cell('a', 'done'), cell('b')])).toBe('h4');
    cache.committed([wrote('c', 'h5')]);
    expect(cache.size).toBe(1);
    expect(cache.newest([cell('a')])).toBeUndefined();
    expect(cache.newest([cell('c')])).toBe('h5');
  });

  it('at its limit, a cell it knows is written again without starting over; a new cell of a known row or of a new table starts over', () => {
    const cache = createWinnerCache(3);
    cache.committed([wrote('a', 'h1'), wrote('a', 'h2', 'done'), wrote('b', 'h3')]);
    cache.committed([wrote('a', 'h4')]); // known: rewritten in place
    expect(cache.size).toBe(3);
    expect(cache.newest([cell('a'), cell('a', 'done'), cell('b')])).toBe('h4');
    cache.committed([wrote('b', 'h5', 'done')]); // a known row, a new column: a fourth cell
    expect(cache.size).toBe(1);
    expect(cache.newest([cell('a')])).toBeUndefined();
    expect(cache.newest([cell('b', 'done')])).toBe('h5');
    cache.committed([wrote('c', 'h6'), wrote('d', 'h7')]);
    cache.committed([{ ...wrote('x', 'h8'), table: 'tags' }]); // a table it has never seen
    expect(cache.size).toBe(1);
    expect(cache.newest([{ ...cell('x'), table: 'tags' }])).toBe('h8');
  });

  it('a write of the one cell it just answered for is kept where it found it, and only that one', () => {
    const cache = createWinnerCache(3);
    cache.committed([wrote('a', 'h1'), wrote('b', 'h2')]);
    expect(cache.newest([cell('a')])).toBe('h1');
    cache.committed([wrote('a', 'h3')]);
    expect(cache.size).toBe(2);
    expect(cache.newest([cell('a')])).toBe('h3');
    // Another cell after the answer: learnt as any write is, counted, the limit kept.
    cache.committed([wrote('c', 'h4')]);
    expect(cache.size).toBe(3);
    expect(cache.newest([cell('c')])).toBe('h4');
    expect(cache.newest([cell('a')])).toBe('h3');
    cache.committed([wrote('d', 'h5', 'done')]); // a fourth cell: starts over
    expect(cache.size).toBe(1);
    expect(cache.newest([cell('a')])).toBeUndefined();
    // Emptied between the answer and the commit (a rollback, another connection's commit):
    // the write is learnt afresh, not kept in the rows it emptied.
    expect(cache.newest([cell('d', 'done')])).toBe('h5');
    cache.clear();
    cache.committed([wrote('d', 'h6', 'done')]);
    expect(cache.size).toBe(1);
    expect(cache.newest([cell('d', 'done')])).toBe('h6');
    // A miss in between forgets the earlier answer.
    expect(cache.newest([cell('d', 'done')])).toBe('h6');
    expect(cache.newest([cell('z')])).toBeUndefined();
    cache.committed([wrote('d', 'h7', 'done')]);
    expect(cache.newest([cell('d', 'done')])).toBe('h7');
  });
});
