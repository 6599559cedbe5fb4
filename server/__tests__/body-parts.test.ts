/**
 * Large bodies travel to the parse workers as the chunks they arrived in, never joined on the
 * event loop (ingest/body-parts.ts): the chunks must move without a copy and without taking
 * anyone else's bytes along, and decoding them part by part must read exactly what one buffer
 * would, characters split between chunks included.
 */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryServerStore, ProtocolError } from 'fieldsync/server';
import type { ReceivedBody } from '../body-reader.ts';
import { bodyLength, transferableParts } from '../ingest/body-parts.ts';
import { parseBody } from '../ingest/parse-body.ts';
import { createThreadedEngine, type BodyHandlingStore } from '../ingest/sync-engine.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `b` cut into parts at the given offsets. */
const cut = (b: Uint8Array, at: number[]): Uint8Array[] => [0, ...at].map((start, i) => b.slice(start, at[i] ?? b.length));

const request = (value: string) => ({ clientId: 'C', cursor: 0, messages: [msg('C', 'r', value)] });

describe('parseBody on a body in parts', () => {
  it('reads a character split between two parts as one buffer would', () => {
    const body = bytes(JSON.stringify(request('é — 😀 ✓')));
    const split = body.indexOf(0xf0) + 2; // inside the emoji's four bytes
    const parts = cut(body, [body.indexOf(0xc3) + 1, split]);
    expect(parseBody(parts)).toEqual(parseBody(body));
  });

  it('refuses bytes that are not UTF-8, and a character cut off at the end, as invalid_request', () => {
    const body = bytes(JSON.stringify(request('é')));
    const bad = [body.slice(0, 10), Uint8Array.of(0xc3, 0x28), body.slice(10)];
    const cutOff = [body, Uint8Array.of(0xe2, 0x82)];
    for (const parts of [bad, cutOff]) {
      expect(() => parseBody(parts)).toThrow(ProtocolError);
      expect(() => parseBody(parts)).toThrow('the body is not valid UTF-8');
    }
  });

  it('refuses an empty body in parts', () => {
    expect(() => parseBody([new Uint8Array(0)])).toThrow('the body is empty');
  });
});

describe('transferableParts', () => {
  it('moves parts that own their memory as they are, copies a slice, and takes nothing else along', async () => {
    const own = bytes('own memory');
    const shared = Buffer.from('0123456789'); // from Node's small-buffer pool: shares its memory
    const slice = shared.subarray(2, 6);
    const { parts, transfer } = transferableParts([own, slice]);
    expect(parts[0]).toBe(own);
    expect(parts[1]).not.toBe(slice);
    expect(new Set(transfer).size).toBe(2);
    expect(bodyLength(parts)).toBe(own.byteLength + 4);

    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Uint8Array[]>((resolve) => port2.once('message', resolve));
    port1.postMessage(parts, transfer);
    expect((await received).map((p) => Buffer.from(p).toString())).toEqual(['own memory', '2345']);
    expect(own.byteLength).toBe(0); // moved, not copied
    expect(shared.toString()).toBe('0123456789'); // the pool's other bytes are still there
    port1.close();
  });
});

describe('the threaded engine', () => {
  it('hands a large body to the store in the parts it arrived in, and a small one joined', async () => {
    const seen: unknown[] = [];
    const store: BodyHandlingStore = {
      syncBody: async (_user, body) => {
        seen.push(body);
        return { clientId: 'C', pushed: 0, stored: 0, maxId: 0, pulled: 0, body: '{}', type: 'application/json' };
      },
    };
    const engine = createThreadedEngine({ store });
    const chunks = [Buffer.alloc(40_000, 32), Buffer.alloc(40_000, 32)];
    const large: ReceivedBody = { length: 80_000, parts: () => chunks, bytes: () => Buffer.concat(chunks) };
    const small: ReceivedBody = { length: 2, parts: () => [Buffer.from('{}')], bytes: () => Buffer.from('{}') };
    await engine.sync('u', large);
    await engine.sync('u', small);
    expect(seen[0]).toBe(chunks);
    expect(Buffer.isBuffer(seen[1])).toBe(true);
  });
});

describe('a large push over HTTP, with characters split between chunks', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  // Many chunks of the socket's, each likely to end inside a character of 2, 3 or 4 bytes.
  const values = Array.from({ length: 300 }, (_, i) => `${i} ${'é✓😀'.repeat(120)}`);
  const push = { clientId: 'W', cursor: 0, messages: values.map((v, i) => msg('W', `w${i}`, v)) };

  for (const [name, store] of [['the SQLite store in its thread', undefined], ['a store given in-process', createMemoryServerStore]] as const) {
    it(`stores every value exactly: ${name}`, async () => {
      s = await startTestServer(store ? { store: store() } : {});
      expect(Buffer.byteLength(JSON.stringify(push))).toBeGreaterThan(200_000);
      const r = await s.sync('writer', push);
      expect(r.status).toBe(200);
      const stored = await s.pullAll('writer');
      expect(stored.map((m) => m.value).sort()).toEqual([...values].sort());
    });
  }
});
