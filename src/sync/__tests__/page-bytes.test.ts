/**
 * The handler cuts every page to the protocol's page bytes (round 60, docs/protocol.md §5,
 * "Answer bytes"; page-bytes.ts): a store that pages by count alone (the memory store) gave a
 * page of 300 values of 60 KB, 17 MiB, in one line, and a client of round 60 refuses an answer
 * over 40 MiB. Each line now holds at most PAGE_BYTES of messages, every message still comes
 * once and in order, and a page whose loose upper bound passes the budget but whose JSON does
 * not is left whole.
 */
import { describe, expect, it } from 'vitest';
import { answerBody, createMemoryServerStore, createSyncHandler } from '../server/index.ts';
import { PAGE_BYTES, cutPage, pageSize } from '../server/page-bytes.ts';
import type { ServerMessage } from '../message.ts';
import { MAX_ANSWER_BYTES } from '../protocol.ts';
import { fromLines, linesOf } from '../answer-lines.ts';
import { parseSyncResponse } from '../sync-response.ts';

const NOW = Date.now();
const hlc = (i: number): string => `${new Date(NOW).toISOString()}-${i.toString(16).toUpperCase().padStart(4, '0')}-pusher01`;

async function handlerWith(n: number, value: (i: number) => unknown): Promise<ReturnType<typeof createSyncHandler>> {
  const handler = createSyncHandler({ store: createMemoryServerStore(), now: () => NOW });
  const messages = Array.from({ length: n }, (_, k) => ({ hlc: hlc(k + 1), table: 'notes', row: `r${k + 1}`, column: 'body', value: value(k + 1) }));
  await handler('u1', { clientId: 'pusher01', cursor: 0, messages });
  return handler;
}

/** Pulls everything as the library's remote asks (columns, 8 pages, lines): each answer's lines' bytes, and the ids in order. */
async function pullAll(handler: ReturnType<typeof createSyncHandler>): Promise<{ lines: number[][]; ids: number[] }> {
  const lines: number[][] = [];
  const ids: number[] = [];
  let cursor = 0;
  for (let round = 0; round < 40; round++) {
    const { response } = await handler('u1', { clientId: 'reader01', cursor, limit: 1000, format: 'columns', pages: 8, framing: 'lines' });
    const { text } = answerBody(response);
    const texts = text.split('\n').filter((t) => t !== '');
    lines.push(texts.map((t) => Buffer.byteLength(t)));
    const answer = parseSyncResponse(fromLines(linesOf(text)), cursor, { limit: 1000, pages: 8 });
    for (const p of [answer, ...(answer.next ?? [])]) ids.push(...p.messages.map((m) => m.id));
    const last = answer.next?.at(-1) ?? answer;
    cursor = last.cursor;
    if (!last.more) return { lines, ids };
  }
  throw new Error('no end after 40 answers');
}

const oneToN = (n: number): number[] => Array.from({ length: n }, (_, k) => k + 1);

describe('pages cut by their bytes', () => {
  it.each([
    ['string values of 60 KB', (): unknown => 'x'.repeat(60_000)],
    ['object values of 60 KB', (): unknown => ({ text: 'x'.repeat(60_000) })],
  ])('%s: 300 of them (17 MiB) come in lines of at most PAGE_BYTES, each message once, in order', async (_, value) => {
    const handler = await handlerWith(300, value);
    const { lines, ids } = await pullAll(handler);
    expect(ids).toEqual(oneToN(300));
    const all = lines.flat();
    expect(all.length).toBeGreaterThan(2);
    for (const bytes of all) expect(bytes).toBeLessThanOrEqual(PAGE_BYTES + 1024);
    for (const answer of lines) expect(answer.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_ANSWER_BYTES / 2);
  }, 30_000);

  it('a `messages` page (no columns format) is cut too', async () => {
    const handler = await handlerWith(300, () => 'x'.repeat(60_000));
    const { response } = await handler('u1', { clientId: 'reader01', cursor: 0, limit: 1000 });
    expect(response.messages.length).toBeLessThan(300);
    expect(response.more).toBe(true);
    expect(response.cursor).toBe(response.messages.at(-1)?.id);
    expect(Buffer.byteLength(answerBody(response).text)).toBeLessThanOrEqual(PAGE_BYTES + 1024);
  }, 30_000);

  it('a page over the budget by its upper bound only (1,000 values of 2 KB of ASCII, 2 MB) is left whole', async () => {
    const handler = await handlerWith(1000, () => 'x'.repeat(2000));
    const { response } = await handler('u1', { clientId: 'reader01', cursor: 0, limit: 1000, format: 'columns', pages: 1 });
    expect(response.messages.length).toBe(1000);
    expect(response.more).toBe(false);
  });
});

// The two functions alone (round 61's mutation run: the suites above left a page's sizes and
// the cut's exact bounds unchecked).
const msg = (id: number, row: string, value: unknown): ServerMessage =>
  ({ id, hlc: hlc(id), table: 'notes', row, column: 'body', value }) as ServerMessage;
/** What cutPage counts a message: its JSON row and value, and page-bytes.ts' FIELD_BYTES (420). */
const counted = (m: ServerMessage): number => 420 + Buffer.byteLength(JSON.stringify(m.row)) + Buffer.byteLength(JSON.stringify(m.value));

describe('pageSize and cutPage', () => {
  it("rough counts 40 bytes a message, its row, a string's or an object's JSON text's length, and 8 for any other value", () => {
    const page = [msg(1, 'r1', 'abc'), msg(2, 'row2', { a: 1 }), msg(3, 'r3', 12345), msg(4, 'r4', null), msg(5, 'r5', true)];
    expect(pageSize(page).rough).toBe(40 + 2 + 3 + (40 + 4 + 7) + 3 * (40 + 2 + 8));
    expect(pageSize([])).toEqual({ rough: 0, upper: 0 });
  });

  it("upper is at least the messages' JSON bytes, for rows and values whose JSON is longest", () => {
    const control = '\u0001'.repeat(128);
    const page = [msg(1, control, control.repeat(500)), msg(2, control, { k: '\u4e2d'.repeat(20_000) }), msg(3, control, -1.234567890123456e-300), msg(4, control, null)];
    for (const m of page) expect(pageSize([m]).upper).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(m)));
  });

  const pair = (extra: number): ServerMessage[] => {
    const first = msg(1, 'r1', 'x'.repeat(1000));
    const rest = PAGE_BYTES - counted(first) - counted(msg(2, 'r2', ''));
    return [first, msg(2, 'r2', 'y'.repeat(rest + extra))];
  };

  it('a page of exactly PAGE_BYTES is left whole; one byte more is cut after its first message', () => {
    const page = { messages: pair(0), cursor: 2, more: false, lastId: 2, epoch: 'e1' };
    expect(cutPage(page, Infinity)).toBe(page);
    const over = { messages: pair(1), cursor: 2, more: false, lastId: 2, epoch: 'e1' };
    expect(cutPage(over, Infinity)).toEqual({ ...over, messages: [over.messages[0]], cursor: 1, more: true });
  });

  it('a first message over PAGE_BYTES alone is sent, as the whole page', () => {
    const page = { messages: [msg(1, 'r1', 'z'.repeat(PAGE_BYTES))], cursor: 1, more: false, lastId: 1, epoch: 'e1' };
    expect(cutPage(page, Infinity)).toBe(page);
  });
});
