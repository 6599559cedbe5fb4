import { describe, expect, it } from 'vitest';
import { formatValue } from './format-value.ts';
import { hlcParts } from './hlc-parts.ts';
import { relativeTime } from './relative-time.ts';
import { gapAt, indexForGap, toFullIndex } from './reorder.ts';

describe('reorder arithmetic', () => {
  it('finds the gap under the pointer from the rows’ middles', () => {
    const middles = [20, 60, 100];
    expect([0, 21, 59, 61, 150].map((y) => gapAt(y, middles))).toEqual([0, 1, 1, 2, 3]);
  });

  it('turns a gap into the index the item lands at', () => {
    expect(indexForGap(0, 3)).toBe(2);
    expect(indexForGap(2, 0)).toBe(0);
    expect(indexForGap(1, 1)).toBe(1);
    expect(indexForGap(1, 2)).toBe(1);
  });

  it('maps a move in a filtered view to a position in the whole list', () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    const visible = ['a', 'c', 'e'];
    expect(toFullIndex(all, visible, 'e', 1)).toBe(2); // e above c: e lands where c was
    expect(toFullIndex(all, visible, 'a', 1)).toBe(2); // a below c: after c
    expect(toFullIndex(all, visible, 'c', 5)).toBe(2); // past the end: stays
  });
});

describe('formatting', () => {
  it('splits an HLC into time, counter and clientId', () => {
    expect(hlcParts('2026-11-24T15:09:39.123Z-00A1-k3J9x2QpL0aa')).toEqual({ date: '2026-11-24', time: '15:09:39.123', counter: '00A1', clientId: 'k3J9x2QpL0aa' });
    expect(hlcParts('garbage')).toBeNull();
  });

  it('shows values as JSON, cut with an ellipsis', () => {
    expect(formatValue('Milk').text).toBe('"Milk"');
    expect(formatValue(true).text).toBe('true');
    const long = formatValue('x'.repeat(100), 10);
    expect(long.text).toBe(`"${'x'.repeat(8)}…`);
    expect(long.full).toHaveLength(102);
    // Cut between characters, never inside an emoji's surrogate pair (shown as a broken character).
    expect(formatValue('😀'.repeat(10), 5).text).toBe('"😀…');
    expect(formatValue('😀'.repeat(2000)).full).toBe(`"${'😀'.repeat(999)}`);
  });

  it('says how long ago, briefly', () => {
    const now = 1_000_000_000;
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime(now - 500, now)).toBe('just now');
    expect(relativeTime(now - 12_000, now)).toBe('12 s ago');
    expect(relativeTime(now - 125_000, now)).toBe('2 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
  });
});
