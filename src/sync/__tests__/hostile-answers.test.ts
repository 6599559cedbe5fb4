/**
 * A hostile or broken server against a client with writes it has not pushed (round 67,
 * attacker review): one real server on loopback answers each case's bad answer to a sync, and
 * then honestly (an in-process server's answers, as JSON). For every case: a typed error with
 * its code, nothing of the answer applied (no page of it, not the first of several), the
 * cursor and the unpushed writes as they were; then the honest server gets each write once.
 * The cases the other suites hold (endless answers, bounds, redirects, pokes) are not repeated.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient } from '../index.ts';
import type { SyncRequest } from '../protocol.ts';
import { createInProcessServer } from '../testing/in-process-server.ts';
import { memory, schema } from './harness/test-kit.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

const TIME = new Date().toISOString();
const head = (r: SyncRequest, cursor: number, more = false) => ({ accepted: r.messages?.length ?? 0, cursor, more, serverTime: TIME });
/** A columns page of `cells` after the request's cursor. */
const page = (cells: unknown[]) => ({ names: ['todos', 'title'], cells });
const cell = (step: number, hlc: string, row: string, value: unknown) => [step, hlc, 0, row, 1, value];
const hlc = (n: number) => `2026-01-01T00:00:0${n}.000Z-0000-other`;

type Bad = (r: SyncRequest, res: ServerResponse, otherOrigin: string) => void;
const json = (res: ServerResponse, body: unknown, type = 'application/json'): void => void res.writeHead(200, { 'Content-Type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));

const cases: [string, Bad, { code: string; message: string | RegExp }][] = [
  ['a cursor that goes backwards', (r, res) => json(res, { ...head(r, r.cursor - 1), messages: [] }), { code: 'invalid_response', message: 'invalid sync response: cursor went backwards' }],
  ['a message beyond its page\'s cursor', (r, res) => json(res, { ...head(r, r.cursor + 1), format: 'columns', page: page(cell(2, hlc(1), 'evil', 'x')) }), { code: 'invalid_response', message: 'invalid sync response: message 0: id out of order or beyond cursor' }],
  ['a malformed HLC', (r, res) => json(res, { ...head(r, r.cursor + 1), format: 'columns', page: page(cell(1, '2026-13-01T00:00:00.000Z-0000-other', 'evil', 'x')) }), { code: 'invalid_response', message: 'invalid sync response: message 0: hlc is not a valid HLC timestamp' }],
  ['a good first page and a bad follow-on page (in one JSON text)', (r, res) => json(res, {
    ...head(r, r.cursor + 1, true), format: 'columns', page: page(cell(1, hlc(1), 'first', 'applied?')),
    next: [{ cursor: r.cursor + 2, more: false, page: page(cell(1, 'not an hlc', 'second', 'x')) }],
  }), { code: 'invalid_response', message: 'invalid sync response: next[0]: message 0: hlc is not a valid HLC timestamp' }],
  ['lines whose last page ends mid-line', (r, res) => json(res, `${JSON.stringify({ ...head(r, r.cursor + 1, true), format: 'columns', page: page(cell(1, hlc(1), 'first', 'applied?')) })}\n{"cursor":${r.cursor + 2},"more":false,"page":{"names":["todos","ti`, 'application/x-ndjson'), { code: 'invalid_response', message: 'the server answered with invalid JSON' }],
  ['a 200 of HTML (a captive portal\'s page)', (_r, res) => json(res, '<!doctype html><title>Sign in to the Wi-Fi</title>', 'text/html'), { code: 'invalid_response', message: 'the server answered with invalid JSON' }],
  ['a 200 that says fewer of the pushed messages were accepted', (r, res) => json(res, { ...head(r, r.cursor), accepted: 1, messages: [] }), { code: 'invalid_response', message: 'the server accepted 1 of 2 messages' }],
  ['a 200 that says more were accepted than were pushed', (r, res) => json(res, { ...head(r, r.cursor), accepted: 3, messages: [] }), { code: 'invalid_response', message: 'the server accepted 3 of 2 messages' }],
  ['a redirect to another origin', (_r, res, other) => void res.writeHead(307, { Location: `${other}/v1/sync` }).end(), { code: 'invalid_response', message: /^the server redirected the request to http:\/\/127\.0\.0\.1:\d+ \(HTTP 200 there\)/ }],
  ['an answer that drips a byte at a time and never ends', (r, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).write(JSON.stringify(head(r, r.cursor)).slice(0, -1));
    const drip = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(drip));
  }, { code: 'network', message: 'the request was aborted or timed out' }],
];

describe('a hostile server\'s answer to a client with writes not pushed yet', () => {
  it.each(cases)('%s: refused with a typed error, nothing applied, the writes kept; the honest server then gets each once', async (_name, bad, refusal) => {
    const honest = createInProcessServer();
    const inner = honest.remote('user');
    let hostile = false;
    // Another origin, where a redirect leads: it answers as the protocol would, but no token reaches it.
    const other = await serve((_req, res) => json(res, { accepted: 0, cursor: 0, more: false, serverTime: TIME, messages: [] }));
    const url = await serve((_req, res, body) => {
      const r = JSON.parse(body) as SyncRequest;
      if (hostile) return bad(r, res, other);
      // The honest server's answer, as one JSON text of `messages` (a server before columns pages).
      void inner.sync({ ...r, format: undefined, framing: undefined, pages: undefined }).then((a) => json(res, a));
    });
    // Another device's message first, so that the cursor is past 0.
    await inner.sync({ clientId: 'other', cursor: 0, messages: [{ hlc: hlc(0), table: 'todos', row: 'theirs', column: 'title', value: 'from the other device' }] });
    const store = memory();
    const client = await createSyncClient({ schema, store, remote: createHttpRemote({ url, token: 't', timeoutMs: 1000 }), intervalMs: 0, debounceMs: 3_600_000 });
    await client.sync();
    const cursor = client.status.cursor;
    expect(cursor).toBe(1);
    await client.set('todos', 'mine', 'title', 'one');
    await client.set('todos', 'mine2', 'title', 'two');
    const before = [...store.rows('todos', { includeDeleted: true }).entries()];
    hostile = true;
    const err = await client.sync().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: refusal.code, message: refusal.message });
    expect([...store.rows('todos', { includeDeleted: true }).entries()]).toEqual(before);
    // A timeout is the network's failure as far as the client can tell: 'offline', retried as one.
    expect(client.status).toMatchObject({ state: refusal.code === 'network' ? 'offline' : 'error', pending: 2, cursor });
    hostile = false;
    await client.sync();
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    const held = (await inner.sync({ clientId: 'check', cursor: 0 })).messages.map((m) => `${m.row}=${String(m.value)}`);
    expect(held.sort()).toEqual(['mine2=two', 'mine=one', 'theirs=from the other device']);
    expect(store.get('todos', 'mine')).toEqual({ title: 'one' });
    await client.close();
  });
});

describe('a hostile server that sends a message again', () => {
  it('the HLC of a write not pushed yet, with other content: the write kept and pushed as written; the same HLC on two pages of one answer, the second with other content: kept once, as the first had it', async () => {
    const honest = createInProcessServer();
    const inner = honest.remote('user');
    let hostile: ((r: SyncRequest) => Promise<unknown>) | null = null;
    const plain = (r: SyncRequest) => inner.sync({ ...r, format: undefined, framing: undefined, pages: undefined });
    const url = await serve((_req, res, body) => {
      const r = JSON.parse(body) as SyncRequest;
      void (hostile ?? plain)(r).then((a) => json(res, a));
    });
    const store = memory();
    const client = await createSyncClient({ schema, store, remote: createHttpRemote({ url, token: 't' }), intervalMs: 0, debounceMs: 3_600_000 });
    await client.sync(); // the first pull (the one with the client's own messages) is done
    // The push reaches the honest server; the answer brings the write's own HLC with other content.
    const mine = await client.set('todos', 'mine', 'title', 'as written');
    hostile = async (r) => {
      const a = await plain(r);
      return { ...a, messages: [{ id: r.cursor + 1, hlc: mine.hlc, table: 'todos', row: 'mine', column: 'title', value: 'forged' }] };
    };
    await client.sync();
    expect(store.get('todos', 'mine')).toEqual({ title: 'as written' });
    expect(client.status).toMatchObject({ state: 'idle', pending: 0, error: null });
    const held = (await inner.sync({ clientId: 'check', cursor: 0 })).messages.map((m) => `${m.hlc === mine.hlc ? 'H' : '?'}:${m.row}=${String(m.value)}`);
    expect(held).toEqual(['H:mine=as written']);
    // The same HLC twice, on two pages of one answer (last: its ids are past the honest log's).
    hostile = async (r) => ({
      ...head(r, r.cursor + 1, true), format: 'columns', page: page(cell(1, hlc(1), 'twice', 'first')),
      next: [{ cursor: r.cursor + 2, more: false, page: page(cell(1, hlc(1), 'twice', 'second')) }],
    });
    await client.sync();
    expect(store.get('todos', 'twice')).toEqual({ title: 'first' });
    expect(await store.messages({ kind: 'cell', table: 'todos', row: 'twice', column: 'title' })).toMatchObject([{ hlc: hlc(1), value: 'first' }]);
    await client.close();
  });
});
