/** Realistic messages for the benchmarks: todo titles and done flags. */
import type { Message } from 'fieldsync';
import { formatHlc } from 'fieldsync/server';

export const BENCH_EPOCH = Date.UTC(2026, 0, 1);

/** Message `i` of a client: alternately a title (about 40 characters) and a done flag. */
export function benchMessage(clientId: string, i: number, cells = Infinity): Message {
  const cell = Number.isFinite(cells) ? i % cells : i;
  const title = i % 2 === 0;
  return {
    hlc: formatHlc({ millis: BENCH_EPOCH + Math.floor(i / 16), counter: i % 16, clientId }),
    table: 'todos',
    row: `todo-${String(Math.floor(cell / 2)).padStart(7, '0')}`,
    column: title ? 'title' : 'done',
    value: title ? `Write the quarterly report, draft ${i % 1000}` : i % 4 === 1,
  };
}
