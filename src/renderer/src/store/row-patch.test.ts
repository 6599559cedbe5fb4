import { describe, expect, it } from 'vitest';
import type { AnyRow } from '../../../shared/app-api.ts';
import { byOrder } from '../../../shared/row-order.ts';
import { patchRows, placeRow } from './row-patch.ts';

const row = (id: string, order: string, title = id): AnyRow => ({ id, order, title });
const compare = (a: AnyRow, b: AnyRow) => byOrder({ id: a.id, order: a.order as string }, { id: b.id, order: b.order as string });
const ids = (rows: readonly AnyRow[]) => rows.map((r) => r.id);
const list = [row('a', 'a0'), row('b', 'a1'), row('c', 'a2'), row('d', 'a3')];

describe('placeRow', () => {
  it('keeps the array, and the held object, when the row read again is equal', () => {
    expect(placeRow(list, 'b', { ...list[1] } as AnyRow, compare)).toBe(list);
    expect(placeRow(list, 'x', null, compare)).toBe(list);
  });

  it('replaces a changed row in its place, keeping every other object', () => {
    const out = placeRow(list, 'b', row('b', 'a1', 'Bee'), compare);
    expect(out).not.toBe(list);
    expect(out.map((r) => r.title)).toEqual(['a', 'Bee', 'c', 'd']);
    expect(out.filter((r) => r.id !== 'b').every((r) => list.includes(r))).toBe(true);
  });

  it('moves a row whose key changed to its sorted place, ties broken by id', () => {
    expect(ids(placeRow(list, 'd', row('d', 'a0V'), compare))).toEqual(['a', 'd', 'b', 'c']);
    expect(ids(placeRow(list, 'a', row('a', 'a9'), compare))).toEqual(['b', 'c', 'd', 'a']);
    expect(ids(placeRow(list, 'c', row('c', 'a1'), compare))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(placeRow(list, 'a', row('a', 'a2'), compare))).toEqual(['b', 'a', 'c', 'd']);
  });

  it('inserts a new row in its place, and removes one read as gone', () => {
    expect(ids(placeRow(list, 'e', row('e', 'a2V'), compare))).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(ids(placeRow([], 'e', row('e', 'a2V'), compare))).toEqual(['e']);
    expect(ids(placeRow(list, 'c', null, compare))).toEqual(['a', 'b', 'd']);
  });

  it('patchRows applies each change in turn', () => {
    expect(ids(patchRows(list, [['a', null], ['e', row('e', 'Zz')], ['d', row('d', 'a0')]], compare))).toEqual(['e', 'd', 'b', 'c']);
  });
});
