import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import { createMemoryServerStore, formatHlc } from 'fieldsync/server';
import { CHUNK_ROWS, CHUNK_SIZES, JsonValueMessage } from '../stores/push-writer.ts';
import { createSqliteServerStore, type SqliteServerStore } from '../stores/sqlite-server-store.ts';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { tempDir } from './helpers/temp-dir.ts';

const BASE = Date.UTC(2026, 10, 24, 15, 0, 0);
const VALUES: Message['value'][] = ['a title', '', 0, 1.5, true, false, null, { nested: ['x', 2] }, ['é', '😀']];
/** The largest chunk: pushes up to three of them long go through every chunk size and the rows after. */
const LARGEST = Math.max(...CHUNK_SIZES);

/**
 * Pushes that make chunks of every kind: cells from a small pool (so one push often has the
 * same cell twice, in one chunk or across chunks), hlcs from a narrow window (so messages win
 * and lose in turn, and one hlc sometimes comes again for another cell), re-pushes.
 */
function pushes(seed: number, count: number): { clientId: string; messages: Message[] }[] {
  const rnd = seededRandom(seed); // replayable by its seed
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: { clientId: string; messages: Message[] }[] = [];
  for (let p = 0; p < count; p++) {
    if (out.length > 0 && rnd() < 0.15) {
      out.push(pick(out)); // a re-push
      continue;
    }
    const clientId = pick(['A', 'B', 'C']);
    const length = rnd() < 0.2 ? 1 + Math.floor(rnd() * (CHUNK_ROWS - 1)) : CHUNK_ROWS + Math.floor(rnd() * 3 * LARGEST);
    const window = 200 + p * 40; // later pushes tend to win, not always
    const messages = Array.from({ length }, (): Message => ({
      hlc: formatHlc({ millis: BASE + Math.floor(rnd() * window), counter: Math.floor(rnd() * 2), clientId }),
      table: pick(['todos', 'lists']),
      row: `r${Math.floor(rnd() * (rnd() < 0.5 ? 4 : 12))}`,
      column: pick(['title', 'done']),
      value: pick(VALUES),
    }));
    // Sometimes every message of the push is a new cell of its own, or a value as JSON text.
    if (rnd() < 0.2) messages.forEach((m, i) => Object.assign(m, { row: `new-${p}-${i}` }));
    out.push({ clientId, messages: rnd() < 0.3 ? messages.map((m) => new JsonValueMessage(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value))) : messages });
  }
  return out;
}

describe('SQLite server store: pushes written several rows per statement', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const open = (compaction: boolean): SqliteServerStore => {
    const dir = tempDir();
    const store = createSqliteServerStore({ file: join(dir.path, 'db.sqlite'), compaction });
    cleanups.push(() => {
      store.close();
      dir.remove();
    });
    return store;
  };
  /** Every message of the user, in id order, but those of `excluded` (the epochs are random). */
  const everything = async (store: { pull(...args: Parameters<SqliteServerStore['pull']>): unknown }, excluded = 'nobody'): Promise<Omit<ReturnType<SqliteServerStore['pull']>, 'epoch'>> => {
    const { epoch: _, ...page } = await (store.pull('u', { cursor: 0, limit: 1_000_000, excludeClientId: excluded }) as ReturnType<SqliteServerStore['pull']>);
    return page;
  };

  for (const compaction of [true, false]) {
    it(`stores exactly what the reference store stores, under the same ids (compaction ${compaction ? 'on' : 'off'})`, async () => {
      // Pushes that store some of their messages, by the size of their first chunk.
      const mixed = new Map<number, number>();
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const sqlite = open(compaction);
        const reference = createMemoryServerStore({ compaction });
        const list = pushes(seed, 60);
        for (const [n, { messages }] of list.entries()) {
          // Every other push goes through group commit (pushMany), the rest alone.
          const got = n % 2 === 0 ? sqlite.push('u', messages) : sqlite.pushMany([{ userId: 'u', messages }])[0];
          const want = await reference.push('u', messages);
          expect(got, `seed ${seed}, push ${n}`).toEqual(want);
          const first = CHUNK_SIZES.find((rows) => messages.length >= rows);
          if (first !== undefined && want.stored > 0 && want.stored < messages.length) mixed.set(first, (mixed.get(first) ?? 0) + 1);
        }
        // Each client's pull leaves out its own messages: every row keeps its client.
        for (const excluded of ['nobody', 'A', 'B', 'C']) {
          expect(await everything(sqlite, excluded), `seed ${seed}, without ${excluded}`).toEqual(await everything(reference, excluded));
        }
      }
      // The chunks that store some of their rows were exercised, at every size.
      for (const rows of CHUNK_SIZES) expect(mixed.get(rows) ?? 0, `chunks of ${rows}`).toBeGreaterThan(10);
    });
  }

  for (const rows of CHUNK_SIZES) it(`keeps a chunk's message whose hlc another cell already holds once, and stores the rest (chunks of ${rows})`, async () => {
    const store = open(true);
    const hlc = (n: number): string => formatHlc({ millis: BASE + n, counter: 0, clientId: 'A' });
    const cell = (n: number, row: string, value: string): Message => ({ hlc: hlc(n), table: 'todos', row, column: 'title', value });
    store.push('u', [cell(1, 'taken', 'first'), cell(0, 'r5', 'old')]);
    // Message 5 replaces r5's message with an hlc that the cell `taken` holds: not stored.
    const messages = Array.from({ length: rows * 2 }, (_, i) => (i === 5 ? cell(1, 'r5', 'impostor') : cell(10 + i, `r${i}`, `v${i}`)));
    expect(store.push('u', messages)).toEqual({ accepted: rows * 2, stored: rows * 2 - 1, maxId: 2 + rows * 2 - 1 });
    const page = (await everything(store)).messages;
    expect(page.map((m) => m.id)).toEqual(Array.from({ length: rows * 2 + 1 }, (_, i) => 1 + i));
    expect(page.find((m) => m.row === 'r5')?.value).toBe('old');
    expect(page.find((m) => m.row === 'taken')?.value).toBe('first');
  });

  it('reads a JSON-text value only when asked, and writes its text as it is', async () => {
    const m = new JsonValueMessage('h', 't', 'r', 'c', '{"__proto__":1,"a":[1,"x"]}');
    expect(m.value).toEqual(JSON.parse('{"__proto__":1,"a":[1,"x"]}'));
    const store = open(true);
    store.push('u', Array.from({ length: CHUNK_ROWS }, (_, i) => new JsonValueMessage(formatHlc({ millis: BASE + i, counter: 0, clientId: 'A' }), 't', `r${i}`, 'c', `{"n":${i}}`)));
    expect((await everything(store)).messages.map((x) => x.value)).toEqual(Array.from({ length: CHUNK_ROWS }, (_, i) => ({ n: i })));
  });
});
