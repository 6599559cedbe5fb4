/**
 * An array given as a function's options object. It has no keys the options lack, so the
 * check of unknown keys let it through, and `createSyncClient([])` or `createSqliteStore(db, [])`
 * went on as if no options were given (a `[{ url, token }]` spread from a list read as none).
 * Every public function that takes options now refuses it as it refuses any other non-object.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createHttpRemote, createSyncClient, pokeStream } from '../index.ts';
import { createMemoryServerStore, createSyncHandler } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { createSqliteStore, openDatabase } from '../../sqlite/index.ts';
import { nodeFetch } from '../../node/index.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';

describe('an array as the options is refused, like any other non-object', () => {
  it.each([
    ['createSyncClient', () => createSyncClient([] as never)],
    ['createHttpRemote', () => createHttpRemote([{ url: 'http://127.0.0.1:1', token: 't' }] as never)],
    ['pokeStream', () => pokeStream([] as never)],
    ['createSyncHandler', () => createSyncHandler([] as never)],
    ['createMemoryServerStore', () => createMemoryServerStore([] as never)],
    ['createInProcessServer', () => createInProcessServer([] as never)],
    ['createSqliteStore', () => createSqliteStore(new Database(':memory:'), [] as never)],
    ['openDatabase', () => openDatabase(':memory:', [] as never)],
  ])('%s', async (name, make) => {
    await refusal(make, `${name}: options must be an object`);
  });

  it('backoff options (pokeStream reconnect, as the client retry)', async () => {
    await refusal(() => pokeStream({ reconnect: [] as never }), 'pokeStream: reconnect must be an object: { initialMs?, maxMs? }');
  });

  it('nodeFetch, with the TypeError fetch gives a bad init', async () => {
    const err = await caught(() => nodeFetch([] as never));
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ message: 'nodeFetch: options must be an object' });
  });
});
