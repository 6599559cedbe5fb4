/**
 * A move reads its two new neighbours through the `(parent, order, id)` index, not the whole
 * list: the keys it writes are the ones placeAt gives over every live sibling in byOrder's
 * order (the old code), for ties, deleted rows, foreign and non-ASCII keys and renumbers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORDER_MAX, type AppTable } from '../../../shared/app-schema-kit.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import { listsSchema } from '../../../../test-support/lists-schema.ts';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { createAppCore, type AppCore } from '../app-core.ts';
import { fullReads } from './helpers/full-reads.ts';
import { byOrder, placeAt } from '../order-keys.ts';
import { neighboursSql } from '../order-queries.ts';

// Counts the full reads of a list (every row decoded): the path a move takes only to renumber.
vi.mock('../table-queries.ts', async (original) => (await import('./helpers/full-reads.ts')).countingFullReads(original));

let dir: TempDir;
let core: AppCore;
beforeAll(async () => {
  dir = tempDir('move-order-');
  core = await createAppCore({ profileDir: dir.path, profile: 'move', log: () => {}, schema: listsSchema });
});
afterAll(async () => {
  await core.close();
  dir.remove();
});

async function call(method: string, ...args: unknown[]): Promise<AnyRow & AnyRow[]> {
  const answer = await core.dispatch(method, args);
  if (!answer.ok) throw new Error(`${method}: ${JSON.stringify(answer)}`);
  return answer.value as AnyRow & AnyRow[];
}

/** The ids and keys placeAt's writes over the whole sorted list give. */
function expected(siblings: readonly AnyRow[], id: string, toIndex: number): { ids: string[]; keys: Record<string, string> } {
  const items = siblings.map((r) => ({ id: r.id, order: r.order as string }));
  const keys = Object.fromEntries(items.map((i) => [i.id, i.order]));
  for (const w of placeAt(items, id, toIndex, ORDER_MAX)) keys[w.id] = w.order;
  const ids = Object.entries(keys).map(([i, order]) => ({ id: i, order })).sort(byOrder).map((i) => i.id);
  return { ids, keys };
}

const keysOf = (rows: readonly AnyRow[]) => Object.fromEntries(rows.map((r) => [r.id, r.order as string]));
// Ties; keys fractional-indexing refuses ('', 'zzz0'); two that SQLite and JavaScript order
// differently (U+E000 and U+FFFF sort before U+1F600 in UTF-8, after it in UTF-16); two adjacent keys
// 200 long, with no key between them within ORDER_MAX (a renumber).
const LONG = `a0${'V'.repeat(197)}`;
const KEYS = ['a0', 'a0', 'a1', 'a2', 'Zz', 'b', 'a0V', '', 'zzz0', 'a1\uE000', 'a1\uFFFF', 'a1\u{1F600}', `${LONG}W`, `${LONG}X`];

describe('moving a row', () => {
  it('writes what placeAt over every live sibling writes (property)', async () => {
    let list = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ key: fc.constantFrom(...KEYS), deleted: fc.boolean() }), { minLength: 1, maxLength: 7 }),
      fc.nat(10), fc.integer({ min: -1, max: 9 }),
      async (cells, pick, to) => {
        const { id: listId } = await call('create', 'lists', { name: `List ${++list}` });
        const made: AnyRow[] = [];
        for (const [i, cell] of cells.entries()) {
          const todo = await call('create', 'todos', { listId, title: `t${i}` });
          await core.client.set('todos', todo.id, 'order', cell.key);
          made.push(todo);
        }
        // One row never deleted: the one that moves.
        const moved = made[pick % made.length] as AnyRow;
        for (const [i, cell] of cells.entries()) if (cell.deleted && made[i] !== moved) await call('delete', 'todos', made[i]?.id);
        const before = await call('rows', 'todos', { parent: listId });
        const want = expected(before, moved.id, to);
        fullReads.count = 0;
        await call('move', 'todos', moved.id, to);
        const moveReads = fullReads.count;
        const after = await call('rows', 'todos', { parent: listId });
        expect(after.map((r) => r.id)).toEqual(want.ids);
        expect(keysOf(after)).toEqual(want.keys);
        // The neighbours answered, unless the keys are odd or the list renumbered.
        const plain = before.every((r) => /^[ -~]+$/.test(r.order as string)) && cells.every((c) => /^[ -~]*$/.test(c.key));
        const renumbered = Object.keys(want.keys).filter((k) => want.keys[k] !== keysOf(before)[k]).length > 1;
        if (plain && !renumbered && !before.some((r) => ['', 'zzz0'].includes(r.order as string))) expect(moveReads).toBe(0);
      },
    ), { numRuns: 150, seed: 24 });
  });

  it('first, last, middle and the same place read no list; a renumber reads it', async () => {
    const { id: listId } = await call('create', 'lists', { name: 'Plain' });
    const made: AnyRow[] = [];
    for (let i = 0; i < 6; i++) made.push(await call('create', 'todos', { listId, title: `t${i}` }));
    const order = async () => (await call('rows', 'todos', { parent: listId })).map((r) => r.title);
    fullReads.count = 0;
    await call('move', 'todos', made[3]?.id, 0);
    await call('move', 'todos', made[0]?.id, 99);
    await call('move', 'todos', made[5]?.id, 2);
    await call('move', 'todos', made[5]?.id, 2);
    expect(fullReads.count).toBe(0);
    expect(await order()).toEqual(['t3', 't1', 't5', 't2', 't4', 't0']);
    await core.client.set('todos', made[1]?.id as string, 'order', 'a0');
    await core.client.set('todos', made[5]?.id as string, 'order', 'a0');
    const siblings = await call('rows', 'todos', { parent: listId });
    // Between the two equal keys (t3 first): no key fits, the list is renumbered.
    const want = expected(siblings, made[4]?.id as string, 2);
    fullReads.count = 0;
    await call('move', 'todos', made[4]?.id, 2);
    expect(fullReads.count).toBe(1);
    const after = await call('rows', 'todos', { parent: listId });
    expect(keysOf(after)).toEqual(want.keys);
    expect(after[2]?.id).toBe(made[4]?.id);
    expect(Object.keys(want.keys).filter((k) => want.keys[k] !== keysOf(siblings)[k]).length).toBeGreaterThan(1);
  });

  it('sorts the whole list when SQLite would order its keys differently', async () => {
    const { id: listId } = await call('create', 'lists', { name: 'Odd' });
    const made: AnyRow[] = [];
    // In JavaScript's order 1F600 < E000 < FFFF; in SQLite's, E000 < FFFF < 1F600: the
    // index's first row after the moved one would be the FFFF key, and the E000 row looks
    // in its place already, when it is not (the 1F600 key is before it).
    for (const key of ['a1\u{1F600}', 'a1\uE000', 'a1\uFFFF']) {
      const todo = await call('create', 'todos', { listId, title: key });
      await core.client.set('todos', todo.id, 'order', key);
      made.push(todo);
    }
    const want = expected(await call('rows', 'todos', { parent: listId }), made[1]?.id as string, 0);
    await call('move', 'todos', made[1]?.id, 0);
    const after = await call('rows', 'todos', { parent: listId });
    expect(after.map((r) => r.id)).toEqual([made[1]?.id, made[0]?.id, made[2]?.id]);
    expect(keysOf(after)).toEqual(want.keys);
  });

  it('sorts the whole list when a key is not TEXT (a value of an earlier column type)', async () => {
    const { id: listId } = await call('create', 'lists', { name: 'Typed' });
    const made: AnyRow[] = [];
    for (let i = 0; i < 4; i++) made.push(await call('create', 'todos', { listId, title: `t${i}` }));
    // As a schema version with another type would have left them: the API reads them as
    // '7.0' and '5', SQLite sorts numbers before every TEXT key.
    core.db.prepare(`UPDATE todos SET "order" = ? WHERE id = ?`).run(7, made[1]?.id);
    core.db.prepare(`UPDATE todos SET "order" = ? WHERE id = ?`).run('5', made[2]?.id);
    for (const [pick, to] of [[3, 99], [0, 0], [3, 2], [0, 99]] as const) {
      const want = expected(await call('rows', 'todos', { parent: listId }), made[pick]?.id as string, to);
      await call('move', 'todos', made[pick]?.id, to);
      const after = await call('rows', 'todos', { parent: listId });
      expect(after.map((r) => r.id)).toEqual(want.ids);
    }
  });

  it('reads the neighbours through the order index, without sorting', () => {
    for (const name of ['todos', 'lists']) {
      const sql = neighboursSql(listsSchema.table(name) as AppTable);
      const plan = (core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', ...(name === 'todos' ? ['p'] : []), 2, 0) as { detail: string }[]).map((p) => p.detail).join('\n');
      expect(plan).toContain(`USING INDEX ${name === 'todos' ? 'todos_by_listId_order_id' : 'lists_by_order_id'}`);
      expect(plan).not.toContain('TEMP B-TREE');
    }
  });
});
