/**
 * The client sizes a push batch by the server's own count (round 64, bracket-count.ts): a batch
 * `takeWithin` takes is never one `overContainerBound` refuses, whatever its values hold
 * (objects with many members, brackets and colons in strings).
 */
import { describe, expect, it } from 'vitest';
import { bracketsUpTo } from '../bracket-count.ts';
import { MAX_REQUEST_CONTAINERS } from '../protocol.ts';
import { takeWithin } from '../request-size.ts';
import { overContainerBound } from '../server/container-bound.ts';
import { formatHlc } from '../hlc.ts';
import type { JsonValue } from '../message.ts';
import type { StoredMessage } from '../store.ts';

const stored = (value: JsonValue, j: number): StoredMessage => ({
  hlc: formatHlc({ millis: 1_700_000_000_000, counter: j, clientId: 'pusher01' }),
  table: 'todos', row: `r${j}`, column: 'title', value,
  local: true, synced: false, applied: true, error: null,
});

const body = (batch: readonly StoredMessage[]): string =>
  JSON.stringify({ clientId: 'pusher01', cursor: 0, messages: batch.map(({ hlc, table, row, column, value }) => ({ hlc, table, row, column, value })) });

describe('bracketsUpTo', () => {
  it('counts every [, { and :, inside strings too, and stops at max + 1', () => {
    expect(bracketsUpTo('{"a":[1,{"b":"x:y[{"}]}')).toBe(8);
    expect(bracketsUpTo('[[[[[[', 3)).toBe(4);
    expect(bracketsUpTo('', 3)).toBe(0);
  });
});

describe('takeWithin sizes a batch the server takes', () => {
  const shapes: Record<string, (j: number) => JsonValue> = {
    'objects of many members': (j) => Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`k${j}_${k}`, k])),
    'nested arrays': () => Array.from({ length: 30 }, () => [[]]),
    'brackets and colons in strings': () => '[{:'.repeat(50),
  };
  for (const [name, value] of Object.entries(shapes)) {
    it(`with ${name}: the batch is within the bound, one more message would not be`, () => {
      const list = Array.from({ length: 3_000 }, (_, j) => stored(value(j), j));
      const [batch] = takeWithin(list, 64 * 1024 * 1024);
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThan(list.length);
      expect(overContainerBound(body(batch))).toBe(false);
      expect(bracketsUpTo(body(list.slice(0, batch.length + 1)))).toBeGreaterThan(MAX_REQUEST_CONTAINERS);
    });
  }
});
