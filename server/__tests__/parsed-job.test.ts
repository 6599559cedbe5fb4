/**
 * The flat form in which a parse worker hands a validated request to the SQLite store's
 * thread (ingest/parsed-job.ts): through a real structured clone (a MessageChannel), the
 * request comes out as it went in, message by message and in order, whatever the values.
 */
import { serialize } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parseBody } from '../ingest/parse-body.ts';
import { decodeParsedJob, encodeParsedJob, parsedJobSize, type ParsedJob } from '../ingest/parsed-job.ts';
import { msg } from './helpers/test-server.ts';

const cloned = (job: ParsedJob): Promise<ParsedJob> => new Promise((resolve) => {
  const { port1, port2 } = new MessageChannel();
  port2.once('message', (m: ParsedJob) => {
    port1.close();
    port2.close();
    resolve(m);
  });
  port1.postMessage(job);
});

describe('parsed job', () => {
  it('gives the store the request the parse worker validated', async () => {
    const values = ['text', '', 0, -1.5, true, false, null, [1, [2, 'x']], { a: { b: null } }, JSON.parse('{"__proto__": {"x": 1}}') as object];
    const body = {
      clientId: 'dev1', cursor: 7, limit: 3, epoch: 'abc',
      messages: values.map((value, i) => msg('dev1', `row-${i}`, value as never, undefined, i % 2 ? 'done' : 'title')),
    };
    const parsed = parseBody(Buffer.from(JSON.stringify(body)));
    const job = await cloned(encodeParsedJob(4, 'alice', parsed));
    expect(job.id).toBe(4);
    expect(job.userId).toBe('alice');
    expect(parsedJobSize(job)).toBe(values.length);
    const decoded = decodeParsedJob(job);
    const { messages, ...rest } = parsed;
    expect({ ...decoded, messages: [] }).toEqual({ ...rest, messages: [] });
    expect(decoded.messages.map((m) => ({ hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: m.value }))).toEqual(messages);
    expect(decoded.messages.map((m) => m.value)).toEqual(values);
    expect(Object.keys(decoded.messages[9]?.value as object)).toEqual(['__proto__']); // a plain own key, as sent
  });

  it('hands the fields over as a packed array, which the store\'s thread receives at a third of the cost of a holey one', () => {
    const parsed = parseBody(Buffer.from(JSON.stringify({ clientId: 'dev1', cursor: 0, messages: [msg('dev1', 'r', 'x'), msg('dev1', 's', true)] })));
    // V8's serializer writes a packed array as dense ('A') and a holey one as sparse ('a'),
    // element by element (after the 2-byte header).
    expect(String.fromCharCode(serialize(encodeParsedJob(1, 'u', parsed).fields)[2] as number)).toBe('A');
  });

  it('carries the time of a drift check made by the parse worker and the time the request arrived, and neither when not given', async () => {
    const parsed = parseBody(Buffer.from(JSON.stringify({ clientId: 'dev1', cursor: 0 })));
    expect(await cloned(encodeParsedJob(1, 'u', parsed, { driftCheckedAt: 1234, arrivedAt: 1000.5 }))).toMatchObject({ driftCheckedAt: 1234, arrivedAt: 1000.5 });
    const without = await cloned(encodeParsedJob(1, 'u', parsed, { driftCheckedAt: undefined }));
    expect(['driftCheckedAt' in without, 'arrivedAt' in without]).toEqual([false, false]);
  });

  it('keeps a request without messages', async () => {
    const parsed = parseBody(Buffer.from(JSON.stringify({ clientId: 'dev1', cursor: 0 })));
    const job = await cloned(encodeParsedJob(1, 'bob', parsed));
    expect(parsedJobSize(job)).toBe(0);
    expect(decodeParsedJob(job)).toEqual(parsed);
  });
});
