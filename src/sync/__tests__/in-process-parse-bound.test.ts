/**
 * `fieldsync/testing`'s in-process server reads a request as a server built on the library
 * does: its JSON text through `parseSyncBody` (round 63). Until then it handed the handler the
 * parsed request, so a push the reference server and docs/api.md's example refuse unparsed
 * (413 payload_too_large, docs/protocol.md §5, "Parse cost") was stored in tests, and an app
 * tested against it never saw the refusal. Asserted by the error and what a pull returns.
 */
import { describe, expect, it } from 'vitest';
import { RemoteError, type JsonValue } from '../index.ts';
import { formatHlc, MAX_REQUEST_CONTAINERS } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { caught } from '../../../test-support/refusal.ts';

const arrays = (k: number): JsonValue => Array.from({ length: k }, () => []);
const push = (values: readonly JsonValue[]) => {
  const now = Date.now();
  return {
    clientId: 'pusher01',
    cursor: 0,
    messages: values.map((value, j) => ({ hlc: formatHlc({ millis: now, counter: j, clientId: 'pusher01' }), table: 'todos', row: `r${j}`, column: 'title', value })),
  };
};

describe('the in-process server bounds a request before it parses it', () => {
  it('refuses a valid push of 320,000 empty arrays with 413 payload_too_large, and stores nothing', async () => {
    const server = createInProcessServer();
    const err = await caught(() => server.remote('u').sync(push(Array.from({ length: 16 }, () => arrays(20_000)))));
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ status: 413, code: 'payload_too_large', message: `the body holds more than ${MAX_REQUEST_CONTAINERS} JSON arrays, objects and object members; send its messages in smaller requests` });
    const pulled = await server.remote('u').sync({ clientId: 'otherdev', cursor: 0 });
    expect(pulled.messages).toEqual([]);
  });

  it('takes a push within the bound, as before', async () => {
    const server = createInProcessServer();
    const answer = await server.remote('u').sync(push([arrays(1_000), 'é 😀']));
    expect(answer.accepted).toBe(2);
    expect((await server.remote('u').sync({ clientId: 'otherdev', cursor: 0 })).messages.map((m) => m.value)).toEqual([arrays(1_000), 'é 😀']);
  });
});
