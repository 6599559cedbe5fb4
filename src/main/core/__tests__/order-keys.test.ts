import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byOrder, placeAt, type Ordered } from '../order-keys.ts';

function apply(items: Ordered[], writes: { id: string; order: string }[], newId?: string): string[] {
  const map = new Map(items.map((i) => [i.id, i.order]));
  for (const w of writes) map.set(w.id, w.order);
  if (newId && !map.has(newId)) throw new Error('the new item got no key');
  return [...map].map(([id, order]) => ({ id, order })).sort(byOrder).map((i) => i.id);
}

describe('order keys', () => {
  it('sorts by order, then id', () => {
    expect([{ id: 'b', order: 'a1' }, { id: 'a', order: 'a1' }, { id: 'c', order: 'a0' }].sort(byOrder).map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });

  it('a move writes one key between the new neighbours; a move to the same place writes nothing', () => {
    const items = [{ id: 'a', order: 'a0' }, { id: 'b', order: 'a1' }, { id: 'c', order: 'a2' }];
    const writes = placeAt(items, 'c', 0, 200);
    expect(writes).toHaveLength(1);
    expect(apply(items, writes)).toEqual(['c', 'a', 'b']);
    expect(placeAt(items, 'b', 1, 200)).toEqual([]);
    expect(apply(items, placeAt(items, 'a', 99, 200))).toEqual(['b', 'c', 'a']);
    expect(apply(items, placeAt(items, 'c', -5, 200))).toEqual(['c', 'a', 'b']);
  });

  it('renumbers when neighbours have equal or foreign keys', () => {
    const tied = [{ id: 'a', order: 'a0' }, { id: 'b', order: 'a0' }, { id: 'c', order: 'a1' }];
    expect(apply(tied, placeAt(tied, 'c', 1, 200))).toEqual(['a', 'c', 'b']);
    const foreign = [{ id: 'a', order: '' }, { id: 'b', order: 'zzz0' }, { id: 'c', order: 'i' }].sort(byOrder);
    expect(apply(foreign, placeAt(foreign, 'n', 3, 200), 'n')).toEqual(['a', 'c', 'b', 'n']);
  });

  it('renumbers when a key would grow past the limit', () => {
    let items: Ordered[] = [{ id: 'a', order: 'a0' }, { id: 'b', order: 'a1' }];
    for (let i = 0; i < 60; i++) {
      const writes = placeAt(items, `n${i}`, 1, 12);
      for (const w of writes) expect(w.order.length).toBeLessThanOrEqual(12);
      const order = apply(items, writes, `n${i}`);
      const map = new Map(items.map((x) => [x.id, x.order]));
      for (const w of writes) map.set(w.id, w.order);
      items = order.map((id) => ({ id, order: map.get(id) as string }));
      expect(order[1]).toBe(`n${i}`);
    }
  });

  it('any move puts the item exactly where asked (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom('a0', 'a1', 'a2', 'Zz', 'b', ''), { minLength: 1, maxLength: 8 }),
      fc.nat(10), fc.nat(12),
      (orders, pick, to) => {
        const items = orders.map((order, i) => ({ id: `r${i}`, order })).sort(byOrder);
        const id = (items[pick % items.length] as Ordered).id;
        const result = apply(items, placeAt(items, id, to, 200));
        const expected = items.map((i) => i.id).filter((x) => x !== id);
        expected.splice(Math.min(to, expected.length), 0, id);
        expect(result).toEqual(expected);
      },
    ), { numRuns: 300, seed: 42 });
  });
});
