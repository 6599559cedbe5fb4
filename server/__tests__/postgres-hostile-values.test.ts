/**
 * Bodies that only PostgreSQL could trip on (U+0000 and lone surrogates, which `text` and
 * `jsonb` refuse; numbers beyond what JSON or a bigint holds; a cursor near 2^53 that the pull
 * statement adds its scan range to), sent as raw JSON text over HTTP to a server on SQLite and
 * one on PostgreSQL. Both answer each the same (status and body, but for the time and epoch):
 * a typed 4xx, or 200 and then the value pulled back exactly as sent. Never a 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatHlc } from 'fieldsync/server';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

let db: TestDatabase;
let sqlite: TestServer;
let postgres: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  sqlite = await startTestServer();
  postgres = await startTestServer({ env: { FIELDSYNC_DATABASE_URL: db.url } });
});
afterAll(async () => {
  await sqlite?.stop();
  await postgres?.stop();
  await db?.drop();
});

const BASE = Date.now() - 60_000;
let n = 0;
const hlc = (): string => formatHlc({ millis: BASE + ++n, counter: 0, clientId: 'C1' });
/** A push of one message whose fields are raw JSON texts. */
const push = (fields: { value?: string; row?: string; table?: string; hlc?: string }): string =>
  `{"clientId":"C1","cursor":0,"limit":1,"messages":[{"hlc":${fields.hlc ?? JSON.stringify(hlc())},"table":${fields.table ?? '"notes"'},"row":${fields.row ?? JSON.stringify(`r${n}`)},"column":"title","value":${fields.value ?? '1'}}]}`;
const pull = (fields: string): string => `{"clientId":"C1",${fields}}`;

const VALUES = ['"\\u0000"', '"a\\u0000b"', '{"\\u0000":[0]}', '"\\ud800"', '"x\\udfffy"', '{"\\udc00":"\\ud83d"}', '"\\\\u0000"',
  '123456789012345678901234567890', '-0', '1e-400', '9007199254740993', '1.7976931348623157e308', '{"__proto__":{"x":1}}',
  `${'['.repeat(100)}${']'.repeat(100)}`];
const CASES: [string, string][] = [
  ...VALUES.map((v): [string, string] => [`value ${v.slice(0, 30)}`, push({ value: v })]),
  ['value 1e400', push({ value: '1e400' })],
  ['value nested 101 deep', push({ value: `${'['.repeat(101)}${']'.repeat(101)}` })],
  ['row with U+0000', push({ row: '"a\\u0000"' })],
  ['row with a lone surrogate', push({ row: '"a\\ud800"' })],
  ['table with U+0000', push({ table: '"no\\u0000tes"' })],
  ['hlc with U+0000', push({ hlc: JSON.stringify(`${hlc().slice(0, -1)}\u0000`) })],
  ['clientId with U+0000', pull('"clientId":"C\\u0000","cursor":0,"limit":1')],
  ['epoch with U+0000', pull('"cursor":0,"limit":1,"epoch":"\\u0000"')],
  ['cursor 2^63', pull('"cursor":9223372036854775808,"limit":1')],
  ['cursor 2^53 - 1', pull('"cursor":9007199254740991,"limit":1')],
  ['cursor 1e15', pull('"cursor":1000000000000000,"limit":1')],
  ['limit 2^31 - 1', pull('"cursor":0,"limit":2147483647')],
];

async function send(server: TestServer, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/v1/sync`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token('mallory')}` }, body,
  });
  const { serverTime: _time, epoch: _epoch, ...rest } = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: rest };
}

it('each hostile body gets the same answer from SQLite and PostgreSQL, never a 500', async () => {
  const answers: string[] = [];
  for (const [name, body] of CASES) {
    const [a, b] = [await send(sqlite, body), await send(postgres, body)];
    expect(b, name).toEqual(a);
    expect(a.status, name).not.toBe(500);
    answers.push(`${a.status}`);
  }
  // Every value was stored (200) or refused with a typed 400; the hostile pulls too.
  expect(answers.every((s) => s === '200' || s === '400')).toBe(true);
});

it('and both give the stored values back exactly as sent', async () => {
  const all = await Promise.all([sqlite, postgres].map((s) => s.pullAll('mallory')));
  expect(all[1]).toEqual(all[0]);
  const values = (all[0] ?? []).map((m) => JSON.stringify(m.value));
  expect(values).toEqual(expect.arrayContaining(['"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udfffy"', '{"\\udc00":"\\ud83d"}']));
  expect(values.length).toBe(VALUES.length);
});
