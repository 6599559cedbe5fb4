/**
 * Line-framed answers (docs/protocol.md §5): with `"framing": "lines"` and the columns format,
 * the server answers `application/x-ndjson`, one JSON text per page, which make the same answer
 * as the single JSON text; without either field, one JSON text as before. Both engines: the
 * SQLite store's thread, and a store given in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryServerStore, parseSyncResponse } from 'fieldsync/server';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

async function raw(s: TestServer, user: string, body: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${s.url}/v1/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The answer its lines make, as the protocol says: the first line's object, with the others as its `next`. */
function fromLines(text: string): unknown {
  const [first, ...next] = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return next.length > 0 ? { ...first, next } : first;
}

const pagesOf = (body: unknown) => {
  const r = parseSyncResponse(body, 0);
  return [r, ...(r.next ?? [])].map((p) => [p.cursor, p.more, p.messages.map((m) => [m.id, m.value])]);
};

describe.each([
  ['the SQLite store\'s thread', () => startTestServer()],
  ['a store given in-process', () => startTestServer({ store: createMemoryServerStore() })],
] as const)('line-framed answers, %s', (_name, start) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await start();
    await s.sync('lines', { clientId: 'B', cursor: 0, messages: [1, 2, 3, 4, 5].map((i) => msg('B', `b${i}`, `v${i} ü\n`)) });
  });
  afterAll(() => s.stop());

  it('answers one line per page, which make the answer the single JSON text makes', async () => {
    const asked = { clientId: 'A', cursor: 0, limit: 2, format: 'columns', pages: 8 };
    const lines = await raw(s, 'lines', { ...asked, framing: 'lines' });
    const single = await raw(s, 'lines', asked);
    expect([lines.status, lines.type]).toEqual([200, 'application/x-ndjson; charset=utf-8']);
    expect(single.type).toBe('application/json; charset=utf-8');
    const each = lines.text.split('\n');
    expect(each).toHaveLength(4); // three pages, each ending with a line feed
    expect(each.at(-1)).toBe('');
    expect(Object.keys(JSON.parse(each[0] as string) as object)).not.toContain('next');
    expect(pagesOf(fromLines(lines.text))).toEqual(pagesOf(JSON.parse(single.text)));
    expect(pagesOf(JSON.parse(single.text))).toEqual([
      [2, true, [[1, 'v1 ü\n'], [2, 'v2 ü\n']]], [4, true, [[3, 'v3 ü\n'], [4, 'v4 ü\n']]], [5, false, [[5, 'v5 ü\n']]],
    ]);
  });

  it('answers one line when all is one page, and one JSON text without the columns format', async () => {
    const one = await raw(s, 'lines', { clientId: 'A', cursor: 4, format: 'columns', pages: 8, framing: 'lines' });
    expect([one.type, one.text.split('\n').length]).toEqual(['application/x-ndjson; charset=utf-8', 2]);
    const plain = await raw(s, 'lines', { clientId: 'A', cursor: 0, framing: 'lines' });
    expect(plain.type).toBe('application/json; charset=utf-8');
    expect((JSON.parse(plain.text) as { messages: unknown[] }).messages).toHaveLength(5);
  });

  it('refuses another framing', async () => {
    const r = await raw(s, 'lines', { clientId: 'A', cursor: 0, format: 'columns', framing: 'ndjson' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'invalid_request', message: 'framing must be "lines" or absent' } });
  });
});
