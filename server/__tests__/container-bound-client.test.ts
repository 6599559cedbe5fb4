/**
 * The client keeps its pushes within the protocol's arrays and objects a request
 * (MAX_REQUEST_CONTAINERS, round 62, docs/protocol.md §5, "Parse cost"): valid messages whose
 * values hold many arrays go in several requests, none refused. Without the count the server
 * answered 413 and the client halved its request size in bytes, and kept that smaller size for
 * an hour. Real server, real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type JsonValue } from 'fieldsync';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const schema = defineSchema({ version: 1, tables: { docs: { body: 'json', title: 'string' } } });
/** 20,000 empty arrays in 60 KB: a valid value (under 64 KiB, 2 levels). Five are 100,005 arrays and objects in one request. */
const arrays = (): JsonValue[] => Array.from({ length: 20_000 }, () => []);

describe('a client\'s pushes stay within the arrays and objects a request may hold', () => {
  it('five values of 20,000 arrays each sync in requests the server takes, none refused', async () => {
    const s: TestServer = await startTestServer();
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: s.url, token: await s.token('alice') }), autoSync: false,
    });
    try {
      for (let i = 0; i < 5; i++) await client.set('docs', `d${i}`, 'body', arrays());
      // Strings full of brackets count as well (the client counts brackets): more requests, none refused.
      for (let i = 0; i < 40; i++) await client.set('docs', `s${i}`, 'title', '['.repeat(4000));
      await client.sync();
      expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
      // Every request's log line: several requests, every one answered 200.
      const statuses = s.logs.filter((l) => typeof l.status === 'number').map((l) => l.status);
      expect(statuses.length).toBeGreaterThan(2);
      expect(statuses.filter((st) => st !== 200)).toEqual([]);
      const held = await s.pullAll('alice');
      expect(held.length).toBe(45);
    } finally {
      await client.close();
      await s.stop();
    }
  });

  it('ten values of 7,000 keys each sync in requests the server takes, none refused (round 63)', async () => {
    // Members count too since round 63 (a key V8 has not seen costs a hidden class): 70,000 in
    // one request would be refused, and the client would halve its size in bytes for an hour.
    const keyed = (i: number): JsonValue => Object.fromEntries(Array.from({ length: 7000 }, (_, k) => [`${i}${k.toString(36)}`, 0]));
    const s: TestServer = await startTestServer();
    const client = await createSyncClient({
      schema, store: createMemoryStore(), remote: createHttpRemote({ url: s.url, token: await s.token('alice') }), autoSync: false,
    });
    try {
      for (let i = 0; i < 10; i++) await client.set('docs', `k${i}`, 'body', keyed(i));
      await client.sync();
      expect(client.status).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null });
      const statuses = s.logs.filter((l) => typeof l.status === 'number').map((l) => l.status);
      expect(statuses.length).toBeGreaterThan(1);
      expect(statuses.filter((st) => st !== 200)).toEqual([]);
      expect((await s.pullAll('alice')).length).toBe(10);
    } finally {
      await client.close();
      await s.stop();
    }
  });
});
