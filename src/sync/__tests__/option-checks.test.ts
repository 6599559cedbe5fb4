/**
 * Options as apps misspell and misuse them (audit C, findings 10 to 15): each mistake is a
 * typed error that names the option, where it was ignored, or taken for something else.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  SchemaError, backoffDelay, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, deviceNames,
  gzipRequests, pokeStream, type SyncStore,
} from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { refusal } from '../../../test-support/refusal.ts';

describe('an option no one reads: a misspelling is refused, naming the option meant', () => {
  const client = (options: object) => createSyncClient({ schema, store: memory(), autoSync: false, ...options });

  it.each([
    ['createSyncClient', () => client({ debounceMS: 5 }), 'createSyncClient: unknown option debounceMS: did you mean debounceMs?'],
    ['createSyncClient', () => client({ interval: 5 }), 'createSyncClient: unknown option interval: did you mean intervalMs?'],
    ['createSyncClient retry', () => client({ retry: { initialMS: 5 } }), 'createSyncClient: retry: unknown option initialMS: did you mean initialMs?'],
    ['createHttpRemote', () => createHttpRemote({ url: 'http://x', token: 't', timeoutMS: 5 } as never), 'createHttpRemote: unknown option timeoutMS: did you mean timeoutMs?'],
    ['pokeStream', () => pokeStream({ idleTimeout: 5 } as never), 'pokeStream: unknown option idleTimeout: did you mean idleTimeoutMs?'],
    ['deviceNames', () => deviceNames({ name: 'Laptop', tables: 'devices' } as never), 'deviceNames: unknown option tables: did you mean table?'],
    ['backoffDelay', () => backoffDelay(0, { initalMs: 5 } as never), 'backoffDelay: options: unknown option initalMs: the options are initialMs, maxMs, random'],
    // Every name starts with '': an empty key is near none of them.
    ['an empty key', () => backoffDelay(0, { '': 5 } as never), 'backoffDelay: options: unknown option : the options are initialMs, maxMs, random'],
    // The key is the app's (from JSON, say): the message names its first 80 characters.
    ['a long key', () => backoffDelay(0, { ['k'.repeat(200)]: 5 } as never), `backoffDelay: options: unknown option ${'k'.repeat(80)}: the options are initialMs, maxMs, random`],
  ])('%s', async (_name, f, message) => {
    await refusal(f, message);
  });

  it('defineSchema: a key besides version and tables is a SchemaError', () => {
    expect(() => defineSchema({ version: 1, tables: {}, name: 'app' } as never)).toThrow(new SchemaError('schema: unknown option name: the options are version, tables'));
  });

  it('every documented option is accepted', async () => {
    const server = createInProcessServer();
    const named = defineSchema({ version: 1, tables: { devices: { name: 'string' } } });
    const all = await createSyncClient({
      schema: named, store: memory(), remote: server.remote('u'), debounceMs: 1, intervalMs: 0, retry: { initialMs: 1, maxMs: 2 },
      pushBatchSize: 10, pullLimit: 10, maxRequestBytes: 4096, autoSync: false, now: Date.now, random: Math.random, storeStallMs: 10_000,
      device: deviceNames({ name: 'Laptop', table: 'devices' }),
    });
    await all.close();
    expect(typeof createHttpRemote({ url: 'http://x', token: 't', fetch, timeoutMs: 5, pokes: pokeStream({ reconnect: {}, idleTimeoutMs: 5 }), compress: undefined }).sync).toBe('function');
    expect(backoffDelay(0, { initialMs: 10, maxMs: 10, random: () => 1 })).toBe(10);
  });

  it('device is what deviceNames makes: another function was a TypeError ("startNames is not a function")', async () => {
    await refusal(() => client({ device: () => 1 }), 'createSyncClient: device must come from deviceNames({ name, table? })');
    await refusal(() => client({ device: 'Laptop' }), 'createSyncClient: device must come from deviceNames({ name, table? })');
  });

  it("autoSync is a boolean: 'no' was truthy, so on", async () => {
    await refusal(() => client({ autoSync: 'no' }), 'createSyncClient: autoSync must be true or false');
    for (const autoSync of [true, false]) await (await client({ autoSync })).close();
  });
});

describe('now and random: each answer checked', () => {
  it.each([
    ['NaN', () => Number.NaN, 'NaN'],
    ['a string', () => 'soon', 'string'],
    ['a BigInt', () => 1n, 'bigint'],
    ['Infinity', () => Infinity, 'Infinity'],
    ['a negative time', () => -1, '-1'],
  ])('a now() that gives %s: the write fails, naming now(), and writes nothing (it was stamped in 1970)', async (_name, now, given) => {
    const store = memory();
    const client = await createSyncClient({ schema, store, autoSync: false, now: now as never });
    await refusal(() => client.set('todos', 't', 'title', 'x'), `createSyncClient: now() gave ${given}, not a number from 0 to 8640000000000000`);
    expect(store.get('todos', 't')).toBeUndefined();
    expect(client.status.pending).toBe(0);
    await client.close();
  });

  it('a now() that goes wrong later: a sync fails naming it, and no NaN is saved as the last sync time', async () => {
    let t = Date.now();
    const store = memory();
    const client = await createSyncClient({ schema, store, remote: createInProcessServer().remote('u'), autoSync: false, now: () => t });
    await client.set('todos', 't', 'title', 'x');
    t = Number.NaN;
    await refusal(() => client.sync(), /^createSyncClient: now\(\) gave NaN/);
    expect(client.status).toMatchObject({ state: 'error', error: { code: 'invalid_argument' } });
    await client.close();
    // The store opens again: its meta holds no 'NaN'.
    await (await createSyncClient({ schema, store, autoSync: false })).close();
  });

  it('a now() or random() that throws: a ValidationError naming it, with the error as cause', async () => {
    const boom = new Error('boom');
    const client = await createSyncClient({ schema, store: memory(), autoSync: false, now: () => { throw boom; } });
    const err = await refusal(() => client.set('todos', 't', 'title', 'x'), 'createSyncClient: now() threw: boom');
    expect(err.cause).toBe(boom);
    await client.close();
    await refusal(() => createSyncClient({ schema, store: memory(), random: () => { throw boom; } }), 'createSyncClient: random() threw: boom');
  });

  it('a random() outside [0, 1] is refused when used, naming it', async () => {
    await refusal(() => createSyncClient({ schema, store: memory(), random: () => Number.NaN }), 'createSyncClient: random() gave NaN, not a number from 0 to 1');
    await refusal(() => createSyncClient({ schema, store: memory(), random: () => 5 }), 'createSyncClient: random() gave 5, not a number from 0 to 1');
  });
});

describe('backoffDelay checks its arguments', () => {
  it.each([
    ['attempt NaN', () => backoffDelay(Number.NaN), 'backoffDelay: attempt must be a number'],
    ['attempt as a string', () => backoffDelay('3' as never), 'backoffDelay: attempt must be a number'],
    ['options null', () => backoffDelay(0, null as never), 'backoffDelay: options must be an object: { initialMs?, maxMs? }'],
    ['a negative initialMs', () => backoffDelay(0, { initialMs: -100 }), /^backoffDelay: options\.initialMs must be a number of ms from 1/],
    ['initialMs NaN', () => backoffDelay(0, { initialMs: Number.NaN }), /^backoffDelay: options\.initialMs must be/],
    ['maxMs Infinity', () => backoffDelay(40, { maxMs: Infinity }), /^backoffDelay: options\.maxMs must be/],
    ['random not a function', () => backoffDelay(0, { random: 0.5 as never }), 'backoffDelay: options.random must be a function'],
    // Round 55: its answers too, as the client's `random`'s. NaN made the delay NaN (a timer
    // that fires at once), 2 a delay past maxMs, and what it threw escaped as it was.
    ['random giving NaN', () => backoffDelay(0, { random: () => Number.NaN }), 'backoffDelay: options.random() gave NaN, not a number from 0 to 1'],
    ['random giving 2', () => backoffDelay(0, { random: () => 2 }), 'backoffDelay: options.random() gave 2, not a number from 0 to 1'],
    ['random that throws', () => backoffDelay(0, { random: () => { throw new Error('seed gone'); } }), 'backoffDelay: options.random() threw: seed gone'],
  ])('%s: a ValidationError', async (_name, f, message) => {
    await refusal(f, message);
  });
});

describe('defineSchema reads what it checks', () => {
  it('an inherited type is not a type: the column would have taken any value', () => {
    const inherited = Object.create({ type: 'string' }) as never;
    expect(() => defineSchema({ version: 1, tables: { t: { a: inherited } } })).toThrow(new SchemaError('t.a: type must be one of string, number, integer, boolean, json'));
  });

  it('tables given as a Map or an array declared nothing: refused', () => {
    for (const tables of [new Map([['todos', { title: 'string' }]]), [{ title: 'string' }]]) {
      expect(() => defineSchema({ version: 1, tables: tables as never })).toThrow(new SchemaError('schema tables must be an object'));
    }
    expect(() => defineSchema({ version: 1, tables: { t: new Map() as never } })).toThrow(new SchemaError('table t: columns must be an object'));
    expect(defineSchema({ version: 1, tables: Object.assign(Object.create(null) as object, { t: { c: 'string' as const } }) }).tables.has('t')).toBe(true);
  });
});

describe('createHttpRemote: the mistakes a first try makes', () => {
  it('names them: the endpoint\'s URL for the base, and a token with its "Bearer " (both were refused by the server, unexplained)', async () => {
    await refusal(() => createHttpRemote({ url: 'http://127.0.0.1:8787/v1/sync', token: 't' }), "createHttpRemote: url is the server's base URL, without /v1/...: http://127.0.0.1:8787");
    await refusal(() => createHttpRemote({ url: 'https://sync.example/app/v1/events/', token: 't' }), "createHttpRemote: url is the server's base URL, without /v1/...: https://sync.example/app");
    await refusal(() => createHttpRemote({ url: 'http://x', token: 'Bearer eyJhbGciOi' }), 'createHttpRemote: token is the token alone: the remote writes "Bearer " itself');
    expect(typeof createHttpRemote({ url: 'https://sync.example/v1', token: 'bearer-like' }).sync).toBe('function');
  });
});

describe('pokes: pokeStream, uncalled', () => {
  it('is refused where it is given, naming the option (it was accepted; realtime was off and setOnline(false) threw a TypeError)', async () => {
    await refusal(() => createHttpRemote({ url: 'http://x', token: 't', pokes: pokeStream as never }), 'createHttpRemote: pokes must be pokeStream(), called');
    const remote = createHttpRemote({ url: 'http://x', token: 't', pokes: pokeStream(), fetch: () => new Promise(() => {}) });
    expect(typeof remote.subscribe).toBe('function');
  });
});

// Round 55: the mirror mistake, `compress: gzipRequests()` called as `pokes: pokeStream()` is.
// What it returns takes a request: createHttpRemote called it with none, and it failed as no
// option should, with a rejection no one handled (which ends a Node process), or without
// CompressionStream (React Native) with a TypeError of its own ("send is not a function").
describe('compress: gzipRequests, called', () => {
  it.each([
    ['where the runtime has CompressionStream', true],
    ['where it has none (React Native)', false],
  ])('is refused where it is given, %s', async (_name, compresses) => {
    if (!compresses) vi.stubGlobal('CompressionStream', undefined);
    try {
      await refusal(() => createHttpRemote({ url: 'http://x', token: 't', compress: gzipRequests() as never }), 'createHttpRemote: compress must be gzipRequests, uncalled');
      expect(typeof createHttpRemote({ url: 'http://x', token: 't', compress: gzipRequests }).sync).toBe('function');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('a store whose functions return thenables that are not native promises', () => {
  it('works as with promises (it failed with a TypeError)', async () => {
    const inner = createMemoryStore();
    // Awaitable, but its `then` returns nothing, as Promises/A+ allows.
    const later = <T>(f: () => T) => ({
      then(ok: (v: T) => void, fail: (e: unknown) => void): void {
        setTimeout(() => {
          try {
            ok(f());
          } catch (e) {
            fail(e);
          }
        }, 1);
      },
    });
    const store = {
      open: (s) => later(() => inner.open(s)),
      winners: (c) => later(() => inner.winners(c)),
      messages: (q) => later(() => inner.messages(q)),
      commit: (c) => later(() => inner.commit(c)),
    } as SyncStore;
    const client = await createSyncClient({ schema, store, remote: createInProcessServer().remote('u'), autoSync: false });
    await client.update('todos', 't1', { title: 'x', done: true });
    await expect(client.sync()).resolves.toMatchObject({ state: 'idle', pending: 0 });
    expect(inner.get('todos', 't1')).toEqual({ title: 'x', done: true });
    await client.close();
  });
});
