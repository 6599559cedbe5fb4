/**
 * What a write keeps is what was checked (audit C, findings 8 and 14). A JSON value was
 * checked, then read again by the store, the returned message and the push: a getter that
 * answered 'short' to the check and 200 KB afterwards got past the 64 KiB limit, was stored,
 * and was refused by the server. And a getter or Proxy that threw came out as the raw error.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError, createSyncClient, defineSchema, utf8Length } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory } from './harness/test-kit.ts';

const schema = defineSchema({ version: 1, tables: { notes: { body: { type: 'json' }, title: 'string' } } });

/** A value whose `text` is short for its first two reads, 200 KB after: the check reads it twice. */
const shifty = () => {
  let reads = 0;
  return { get text() { return ++reads <= 2 ? 'short' : 'x'.repeat(200_000); } };
};

describe('a JSON value is kept as it was checked', () => {
  it('a value that changes between reads: what is stored, returned and pushed is what passed the check', async () => {
    const server = createInProcessServer();
    const store = memory();
    const client = await createSyncClient({ schema, store, remote: server.remote('u'), autoSync: false });
    const written = await client.set('notes', 'n1', 'body', shifty() as never).then((m) => m.value, (err: unknown) => err);
    const stored = store.get('notes', 'n1')?.body;
    // Either refused, or kept as one reading that fits: never 200 KB stored after a check of 5 characters.
    if (written instanceof Error) {
      expect(written).toMatchObject({ code: 'schema', message: expect.stringMatching(/limit is 65536/) });
      expect(stored).toBeUndefined();
    } else {
      expect(stored).toEqual(written);
      expect(utf8Length(JSON.stringify(stored))).toBeLessThanOrEqual(64 * 1024);
    }
    const status = await client.sync();
    expect(status).toMatchObject({ rejected: 0, pending: 0 });
    await client.close();
  });

  it('the kept value is a plain copy: changing the object afterwards changes nothing stored', async () => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const value = { tags: ['a'], nested: { n: 1 } };
    const m = await client.set('notes', 'n1', 'body', value);
    value.tags.push('b');
    value.nested.n = 2;
    expect(m.value).toEqual({ tags: ['a'], nested: { n: 1 } });
    expect(store.get('notes', 'n1')?.body).toEqual({ tags: ['a'], nested: { n: 1 } });
    await client.close();
  });
});

describe("the app's own getter or Proxy that throws", () => {
  it('is a ValidationError naming what threw, with the error as its cause; nothing is written', async () => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false });
    const boom = new Error('boom');
    const value = { get text(): string { throw boom; } };
    const fields = new Proxy({}, { ownKeys: () => { throw boom; } });
    for (const write of [() => client.set('notes', 'n1', 'body', value as never), () => client.update('notes', 'n1', fields)]) {
      const err = await write().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'invalid_argument', message: 'reading the written value threw: boom', cause: boom });
    }
    expect(store.get('notes', 'n1')).toBeUndefined();
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it('an unknown table that is not a string is named by its type (its text may not exist)', async () => {
    const client = await createSyncClient({ schema, store: memory(), autoSync: false });
    await expect(client.set(Object.create(null) as never, 'r', 'title', 'x')).rejects.toMatchObject({ code: 'schema', message: 'unknown table: (object)' });
    await client.close();
  });
});

describe('utf8Length', () => {
  it('takes a string, and refuses anything else with a ValidationError (a number answered undefined)', () => {
    for (const bad of [5, null, undefined, ['a']]) {
      expect(() => utf8Length(bad as never)).toThrow(ValidationError);
      expect(() => utf8Length(bad as never)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: 'utf8Length takes a string' }));
    }
    expect(utf8Length('é')).toBe(2);
  });
});
