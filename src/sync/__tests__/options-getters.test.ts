/**
 * An app's options object whose own getter or Proxy throws, given to a public entry point:
 * a ValidationError that names the function, the app's error as `cause` (errors.ts
 * `reading`), as for a written value's getter. Until round 56 each of these reached the app
 * as its own raw error, an untyped one that no `err.code` branch caught.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, createHttpRemote, createSyncClient, defineSchema, deviceNames, pokeStream, ValidationError } from '../index.ts';
import { createMemoryServerStore, createSyncHandler } from '../server/index.ts';
import { createInProcessServer, storeConformance } from '../testing/index.ts';
import { createSqliteStore, openDatabase } from '../../sqlite/index.ts';
import { memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

const appError = new Error('the app getter failed');
const boom = (): never => {
  throw appError;
};
/** `base` with a getter for `key` that throws. */
const getter = (base: object, key: string): never => Object.defineProperty({ ...base }, key, { get: boom, enumerable: true }) as never;
/** `base` behind a Proxy whose key listing throws. */
const keysThrow = (base: object): never => new Proxy(base, { ownKeys: boom }) as never;
/** `base` behind a Proxy whose every read throws. */
const readsThrow = (base: object): never => new Proxy(base, { get: boom }) as never;

async function expectNamed(f: () => unknown, fn: string): Promise<void> {
  const err = await caught(f);
  expect(err).toBeInstanceOf(ValidationError);
  expect(err).toMatchObject({ code: 'invalid_argument', message: `${fn}: the app getter failed`, cause: appError });
}

describe('an options getter or Proxy that throws', () => {
  it('defineSchema: at the top, in tables, in a column spec', async () => {
    const what = 'defineSchema: reading the declaration threw';
    await expectNamed(() => defineSchema(getter({ tables: {} }, 'version')), what);
    await expectNamed(() => defineSchema(keysThrow({ version: 1, tables: {} })), what);
    await expectNamed(() => defineSchema(readsThrow({ version: 1, tables: {} })), what);
    await expectNamed(() => defineSchema({ version: 1, tables: keysThrow({ todos: {} }) }), what);
    await expectNamed(() => defineSchema({ version: 1, tables: { todos: { title: getter({}, 'type') } } }), what);
  });

  it('createSyncClient: the options and retry', async () => {
    const what = 'createSyncClient: reading the options threw';
    await expectNamed(() => createSyncClient(getter({ schema }, 'store')), what);
    await expectNamed(() => createSyncClient(keysThrow({ schema, store: memory() })), what);
    await expectNamed(() => createSyncClient(readsThrow({ schema, store: memory() })), what);
    await expectNamed(() => createSyncClient({ schema, store: memory(), retry: getter({}, 'initialMs') }), what);
  });

  it('createHttpRemote, pokeStream, deviceNames, backoffDelay', async () => {
    await expectNamed(() => createHttpRemote(getter({ token: 't' }, 'url')), 'createHttpRemote: reading the options threw');
    await expectNamed(() => createHttpRemote(keysThrow({ url: 'http://127.0.0.1:1', token: 't' })), 'createHttpRemote: reading the options threw');
    await expectNamed(() => pokeStream({ reconnect: getter({}, 'initialMs') }), 'pokeStream: reading the options threw');
    await expectNamed(() => deviceNames(getter({}, 'name')), 'deviceNames: reading the options threw');
    await expectNamed(() => backoffDelay(1, keysThrow({})), 'backoffDelay: reading the options threw');
  });

  it("the memory store's rows options", async () => {
    const store = memory();
    await createSyncClient({ schema, store });
    await expectNamed(() => store.rows('todos', getter({}, 'includeDeleted')), 'rows(table, options): reading the options threw');
  });

  it('the server, testing and SQLite entry points', async () => {
    await expectNamed(() => createSyncHandler(getter({}, 'store')), 'createSyncHandler: reading the options threw');
    await expectNamed(() => createMemoryServerStore(getter({}, 'compaction')), 'createMemoryServerStore: reading the options threw');
    await expectNamed(() => createInProcessServer(keysThrow({})), 'createInProcessServer: reading the options threw');
    await expectNamed(() => storeConformance(() => ({ store: memory(), readRow: () => undefined }), keysThrow({})), 'storeConformance: reading the options threw');
    await expectNamed(() => openDatabase(':memory:', getter({}, 'busyTimeoutMs')), 'openDatabase: reading the options threw');
    const db = openDatabase(':memory:');
    try {
      await expectNamed(() => createSqliteStore(db, getter({}, 'checkpoints')), 'createSqliteStore: reading the options threw');
    } finally {
      db.close();
    }
  });

  it("leaves the functions' own typed errors as they were", async () => {
    expect(await caught(() => defineSchema({ version: 0, tables: {} }))).toMatchObject({ code: 'schema' });
    expect(await caught(() => createHttpRemote({ url: 'ftp://x', token: 't' }))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^createHttpRemote: url must start/) });
  });
});
