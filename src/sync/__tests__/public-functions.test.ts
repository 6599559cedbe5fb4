/**
 * Every function the five entry points export, called with what is not its arguments: each
 * refuses it with a FieldsyncError (nodeFetch, as `fetch` does, with a TypeError that names
 * it), or takes it as no options; none fails with an engine's TypeError from inside, and none
 * answers nonsense. The list is the entry points' own exports, so a new function is swept
 * the day it is exported. Then the cases of the helpers that answered nonsense until round
 * 44: `cellKey`, `hlcClientId`, `findClockDrift`, `createSseParser`, `planMerge`, `cellsOf`
 * and `fromSql`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as root from '../index.ts';
import * as server from '../server/index.ts';
import * as testing from '../testing/index.ts';
import * as sqlite from '../../sqlite/index.ts';
import * as node from '../../node/index.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';

const ENTRIES: Record<string, Record<string, unknown>> = {
  fieldsync: root,
  'fieldsync/server': server,
  'fieldsync/testing': testing,
  'fieldsync/sqlite': sqlite,
  'fieldsync/node': node,
};

// A string argument is a path in a folder of this test's own: the file helpers create what they are given.
const dir = mkdtempSync(join(tmpdir(), 'fieldsync-public-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const text = join(dir, 'garbage');

const GARBAGE: readonly (readonly unknown[])[] = [
  [], [undefined], [null], [5], [Number.NaN], [text], [{}], [[]], [Symbol('s')], [() => 1],
  [text, 5, null], [{}, {}, {}], [5, text, Symbol('s')], [null, null, null, null],
];

/** The functions an entry point exports (classes are constructors, the errors among them: not swept). */
const functionsOf = (entry: string): [string, (...args: unknown[]) => unknown][] =>
  Object.entries(ENTRIES[entry] as Record<string, unknown>)
    .filter((e): e is [string, (...args: unknown[]) => unknown] => typeof e[1] === 'function' && !/^[A-Z]/.test(e[0]));

/** What a call did: its result, or what it threw or rejected with. */
async function outcome(f: () => unknown): Promise<{ threw: boolean; value: unknown }> {
  try {
    return { threw: false, value: await f() };
  } catch (err) {
    return { threw: true, value: err };
  }
}

/** Releases what a call that took no options made (a store, an agent, a server). */
async function release(value: unknown): Promise<void> {
  const v = value as { close?: () => unknown } | null;
  if ((typeof v === 'object' || typeof v === 'function') && v !== null && typeof v.close === 'function') await v.close();
}

describe('every exported function, given what is not its arguments', () => {
  const cases = Object.keys(ENTRIES).flatMap((entry) => functionsOf(entry).map(([name, f]) => [`${entry} ${name}`, f] as const));

  it('sweeps every function of the five entry points', () => {
    // The sweep is only as good as its list: the entry points' functions, counted.
    expect(cases.length).toBeGreaterThanOrEqual(35);
    expect(cases.map(([n]) => n)).toEqual(expect.arrayContaining(['fieldsync cellKey', 'fieldsync/testing planMerge', 'fieldsync/server findClockDrift']));
  });

  it.each(cases)('%s refuses it with a typed error, or takes it as no options', async (name, f) => {
    for (const args of GARBAGE) {
      const { threw, value } = await outcome(() => f(...args));
      if (!threw) {
        await release(value);
        continue;
      }
      const label = `${name}(${args.map((a) => (typeof a === 'symbol' ? 'Symbol' : typeof a === 'function' ? 'fn' : JSON.stringify(a))).join(', ')})`;
      if (name === 'fieldsync/node nodeFetch') {
        // fetch's own way with a bad init: a TypeError, its message naming the function.
        expect(value, label).toBeInstanceOf(TypeError);
        expect((value as Error).message, label).toMatch(/^nodeFetch: /);
      } else {
        expect(value, `${label} threw ${String(value)}`).toBeInstanceOf(root.FieldsyncError);
      }
    }
  });
});

const HLC = '2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa';

describe('cellKey', () => {
  it.each([[5, 'r', 'c'], ['t', undefined, 'c'], ['t', 'r', null], [{}, [], Symbol('s')]])('refuses (%s, %s, %s)', async (...args) => {
    await refusal(() => root.cellKey(...(args as unknown as [string, string, string])), 'cellKey(table, row, column) takes three strings');
  });

  it('keys a cell by its three names, each cell its own', () => {
    expect(root.cellKey('todos', 't1', 'title')).toBe('todos\u0000t1\u0000title');
    expect(root.cellKey('todos', 't1', 'title')).not.toBe(root.cellKey('todos', 't1', 'done'));
  });
});

describe('hlcClientId', () => {
  it.each(['x', '', 'k3J9x2QpL0aa', `${HLC} `, 5, null])('refuses %j, which is no HLC timestamp', async (value) => {
    await refusal(() => server.hlcClientId(value as string), /^hlcClientId: not an HLC timestamp/);
  });

  it('names no more than the first 100 characters of what it refuses', async () => {
    const err = await refusal(() => server.hlcClientId('x'.repeat(500)), /^hlcClientId: not an HLC timestamp/);
    expect(err.message).toBe(`hlcClientId: not an HLC timestamp: ${'x'.repeat(100)}`);
  });

  it("names an HLC timestamp's writer", () => {
    expect(server.hlcClientId(HLC)).toBe('k3J9x2QpL0aa');
  });
});

describe('findClockDrift', () => {
  const at = (ms: number): string => server.formatHlc({ millis: ms, counter: 0, clientId: 'c1' });
  const now = Date.UTC(2026, 10, 24);

  it.each([
    [5, now, 1000, 'findClockDrift: messages must be an array'],
    [{ length: 1, 0: { hlc: at(now) } }, now, 1000, 'findClockDrift: messages must be an array'],
    [[], Number.NaN, 1000, 'findClockDrift: serverNowMs must be a finite number'],
    [[], String(now), 1000, 'findClockDrift: serverNowMs must be a finite number'],
    [[], now, -1, 'findClockDrift: maxDriftMs must be a number of ms, 0 or more (Infinity: no limit)'],
    [[], now, Number.NaN, 'findClockDrift: maxDriftMs must be a number of ms, 0 or more (Infinity: no limit)'],
    [[], now, '1000', 'findClockDrift: maxDriftMs must be a number of ms, 0 or more (Infinity: no limit)'],
    [[{}], now, 1000, 'findClockDrift: message 0 has no hlc'],
    [[{ hlc: at(now) }, null], now, 1000, 'findClockDrift: message 1 has no hlc'],
  ])('refuses (%j, %j, %j)', async (messages, serverNow, maxDrift, message) => {
    await refusal(() => server.findClockDrift(messages as never, serverNow as number, maxDrift as number), message);
  });

  it('finds the first message too far ahead; none with no limit', () => {
    const messages = [{ hlc: at(now) }, { hlc: at(now + 5000) }, { hlc: at(now + 9000) }] as never;
    expect(server.findClockDrift(messages, now, 1000)).toBe(1);
    expect(server.findClockDrift(messages, now, 6000)).toBe(2);
    expect(server.findClockDrift(messages, now, Infinity)).toBe(-1);
    expect(server.findClockDrift([], now, 0)).toBe(-1);
  });
});

describe('createSseParser', () => {
  it.each([[5], [undefined], [{}], [() => {}, 'retry']])('refuses (%s, ...) before any event', async (...args) => {
    await refusal(() => server.createSseParser(...(args as [never, never])), 'createSseParser(onEvent, onRetry?) takes functions');
  });

  it('parses events with a handler, and retries with one', () => {
    const events: string[] = [];
    const retries: number[] = [];
    server.createSseParser((e) => events.push(e.data), (ms) => retries.push(ms)).push('retry: 300\ndata: hi\n\n');
    server.createSseParser((e) => events.push(e.event)).push('event: poke\ndata: {}\n\n');
    expect(events).toEqual(['hi', 'poke']);
    expect(retries).toEqual([300]);
  });
});

describe("fieldsync/testing's planMerge and cellsOf", () => {
  const schema = root.defineSchema({ version: 1, tables: { todos: { title: 'string' } } });
  const message = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };

  it.each([
    [undefined, [message], new Map(), 'planMerge: schema must come from defineSchema()'],
    [{ version: 1, tables: { todos: {} } }, [message], new Map(), 'planMerge: schema must come from defineSchema()'],
    [schema, 'x', new Map(), 'planMerge: messages must be an array'],
    [schema, [message, null], new Map(), 'planMerge: message 1 must be an object'],
    [schema, [5], new Map(), 'planMerge: message 0 must be an object'],
    [schema, [{ ...message, column: 5 }], new Map(), 'planMerge: message 0 must have string hlc, table, row and column'],
    [schema, [message], { get: () => undefined }, "planMerge: winners must be a Map of cellKey to hlc, as a store's winners() answers"],
    [schema, [{ ...message, hlc: 5 }], new Map(), 'planMerge: message 0 must have string hlc, table, row and column'],
    [schema, [{ ...message, row: undefined }], new Map(), 'planMerge: message 0 must have string hlc, table, row and column'],
    [schema, [message], {}, "planMerge: winners must be a Map of cellKey to hlc, as a store's winners() answers"],
    [schema, [message], null, "planMerge: winners must be a Map of cellKey to hlc, as a store's winners() answers"],
  ])('planMerge refuses (%j, %j, %j)', async (s, messages, winners, why) => {
    await refusal(() => testing.planMerge(s as never, messages as never, winners as never), why);
  });

  it.each([
    [null, [message], 'cellsOf: schema must come from defineSchema()'],
    [schema, { 0: message }, 'cellsOf: messages must be an array'],
    [schema, [{ ...message, table: 1 }], 'cellsOf: message 0 must have string hlc, table, row and column'],
  ])('cellsOf refuses (%j, %j)', async (s, messages, why) => {
    await refusal(() => testing.cellsOf(s as never, messages as never), why);
  });

  it('plans as the client does, what the schema lacks a problem of the plan', () => {
    const other = { ...message, hlc: HLC.replace('0000', '0001'), table: 'notes' };
    expect(testing.cellsOf(schema, [message, other])).toEqual([message]);
    const plan = testing.planMerge(schema, [message, other], new Map());
    expect(plan.writes).toEqual([message]);
    expect(plan.problems[0]).toBeNull();
    expect(plan.problems[1]).toMatch(/notes/);
    // A newer winner keeps its cell.
    const newer = new Map([[root.cellKey('todos', 't1', 'title'), HLC.replace('0000', '0009')]]);
    expect(testing.planMerge(schema, [message], newer).writes).toEqual([]);
  });
});

describe("fieldsync/server's checkServerStoreCall", () => {
  const message = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };
  it('passes what the server-store contract passes, and refuses the rest naming the method', async () => {
    expect(server.checkServerStoreCall('push', 'u1', [message])).toBeUndefined();
    expect(server.checkServerStoreCall('push', 'u1', [])).toBeUndefined();
    expect(server.checkServerStoreCall('pull', 'u1', { cursor: 0, limit: 1, excludeClientId: 'c1', includeOwn: true })).toBeUndefined();
    expect(server.checkServerStoreCall('renewEpoch', 'u1', '')).toBeUndefined();
    await refusal(() => server.checkServerStoreCall('push', 'u1', [message, { ...message, value: undefined }]), 'push: message 1: value contains undefined, which is not JSON');
    await refusal(() => server.checkServerStoreCall('pull', 'u1', { cursor: 1.5, limit: 1, excludeClientId: 'c1' }), 'pull: options.cursor must be an integer, 0 or more');
    await refusal(() => server.checkServerStoreCall('renewEpoch', '', ''), 'renewEpoch: userId must be a non-empty string');
    await refusal(() => server.checkServerStoreCall('x'.repeat(150) as never, 'u1', []), `checkServerStoreCall: method must be 'push', 'pull' or 'renewEpoch', not ${'x'.repeat(100)}`);
    for (const method of ['dump', 'toString', 'close', 5]) {
      await refusal(() => server.checkServerStoreCall(method as never, 'u1', []), `checkServerStoreCall: method must be 'push', 'pull' or 'renewEpoch', not ${method}`);
    }
  });
});

describe("fieldsync/sqlite's fromSql", () => {
  it.each([[5], ['text'], [undefined]])('refuses the type %j for a NULL as for any value', async (type) => {
    await refusal(() => sqlite.fromSql(type as never, null), /^fromSql: unknown column type/);
    await refusal(() => sqlite.fromSql(type as never, 'x'), /^fromSql: unknown column type/);
  });

  it('reads a NULL (or nothing) as null in every column type', () => {
    for (const type of ['string', 'number', 'integer', 'boolean', 'json'] as const) {
      expect(sqlite.fromSql(type, null)).toBeNull();
      expect(sqlite.fromSql(type, undefined)).toBeNull();
    }
  });
});

describe("fieldsync/sqlite's file helpers, refused by the system", () => {
  it('name the path in a StoreError, the system error its cause', async () => {
    const file = join(dir, 'a-file');
    sqlite.ensurePrivateDatabaseFile(file);
    // A folder where a file is: the server's data dir, an app's profile.
    const folder = await caught(() => sqlite.ensurePrivateDir(file));
    expect(folder).toBeInstanceOf(root.StoreError);
    expect(folder).toMatchObject({ code: 'store', message: `cannot make the private folder ${file}: ${(folder as { cause: Error }).cause.message}` });
    expect(['EEXIST', 'ENOTDIR']).toContain((folder as { cause: { code?: string } }).cause.code);
    // A file where a folder is.
    const database = await caught(() => sqlite.ensurePrivateDatabaseFile(dir));
    expect(database).toBeInstanceOf(root.StoreError);
    expect(database).toMatchObject({ message: expect.stringMatching(/^cannot make the private database file /) });
    expect(['EISDIR', 'EPERM', 'EACCES']).toContain((database as { cause: { code?: string } }).cause.code); // EISDIR here; Windows may say EPERM
  });
});

/** The methods an object has, its own and its prototypes' (a store's, a client's), but for close(). */
function methodsOf(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const k of Object.getOwnPropertyNames(o)) if (k !== 'constructor' && k !== 'close' && typeof (target as Record<string, unknown>)[k] === 'function') names.add(k);
  }
  return [...names];
}

describe('the methods of what the API makes, given what is not their arguments', () => {
  const schema = root.defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
  /** Each maker gives a fresh object, opened as the client would have it, and what closes it. */
  const MAKERS: Record<string, () => Promise<{ target: object; close: () => unknown }>> = {
    'createMemoryStore()': async () => {
      const store = root.createMemoryStore();
      store.open(schema);
      return { target: store, close: () => store.close?.() };
    },
    'createSqliteStore(db)': async () => {
      const db = sqlite.openDatabase(join(mkdtempSync(join(dir, 'store-')), 'client.db'));
      const store = sqlite.createSqliteStore(db);
      store.open(schema);
      return { target: store, close: () => store.close() };
    },
    'createSyncClient(...)': async () => {
      const client = await root.createSyncClient({ schema, store: root.createMemoryStore(), remote: testing.createInProcessServer().remote('u1'), autoSync: false });
      return { target: client, close: () => client.close() };
    },
    'createHttpRemote(...)': async () => ({ target: root.createHttpRemote({ url: 'http://127.0.0.1:9', token: 't', timeoutMs: 200 }), close: () => {} }),
    'createMemoryServerStore()': async () => ({ target: server.createMemoryServerStore(), close: () => {} }),
    'createInProcessServer()': async () => ({ target: testing.createInProcessServer(), close: () => {} }),
  };

  it.each(Object.keys(MAKERS))('%s: each method refuses it with a typed error, or takes it', async (maker) => {
    const { target, close } = await (MAKERS[maker] as () => Promise<{ target: object; close: () => unknown }>)();
    try {
      const methods = methodsOf(target);
      expect(methods.length).toBeGreaterThan(1);
      for (const name of methods) {
        for (const args of GARBAGE) {
          const { threw, value } = await outcome(() => (target as Record<string, (...a: unknown[]) => unknown>)[name]?.(...args));
          if (threw) expect(value, `${maker}.${name} threw ${String(value)}`).toBeInstanceOf(root.FieldsyncError);
        }
      }
    } finally {
      await close();
    }
  });

  it.each(['createMemoryStore()', 'createSqliteStore(db)'])("%s refuses what is not the contract's, and keeps working", async (maker) => {
    const { target, close } = await (MAKERS[maker] as () => Promise<{ target: object; close: () => unknown }>)();
    const store = target as root.SyncStore;
    const QUERY = "store.messages() takes a query: { kind: 'pending' | 'recent', limit }, { kind: 'unapplied' | 'rejected' } or { kind: 'cell', table, row, column }";
    const COMMIT = 'store.commit() takes a commit: { insert?, remove?, update?, writes? } arrays and { meta? } an object';
    try {
      await refusal(() => store.open(5 as never), 'store.open() takes a schema from defineSchema()');
      await refusal(() => store.winners(null as never), 'store.winners() takes an array of cells');
      await refusal(() => store.values?.('todos' as never), 'store.values() takes an array of cells');
      await refusal(() => store.messages({ kind: 'newest' } as never), QUERY);
      await refusal(() => store.messages({ kind: 'pending' } as never), QUERY);
      await refusal(() => store.messages({ kind: 'cell', table: 'todos', row: 1, column: 'title' } as never), QUERY);
      await refusal(() => store.messages({ kind: 'recent', limit: -1 } as never), QUERY);
      await refusal(() => store.messages(null as never), QUERY);
      await refusal(() => store.commit(null as never), COMMIT);
      await refusal(() => store.commit([] as never), COMMIT);
      await refusal(() => store.commit({ writes: {} } as never), COMMIT);
      await refusal(() => store.commit({ meta: 'x' } as never), COMMIT);
      // Each element by its types: a TypeError from inside, or a message with a broken hlc stored.
      const message = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk', local: true, synced: false, applied: true, error: null };
      const write = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };
      for (const [commit, why] of [
        [{ insert: [message, null] }, 'insert[1] is not a stored message'],
        [{ insert: [{ ...message, hlc: 5 }] }, 'insert[0] is not a stored message'],
        [{ insert: [{ ...message, value: undefined }] }, 'insert[0] is not a stored message'],
        [{ insert: [{ ...message, synced: 0 }] }, 'insert[0] is not a stored message'],
        [{ insert: [message], writes: [write, { ...write, row: 7 }] }, 'writes[1] is not a cell write'],
        [{ insert: [message], writes: [{ ...write, hlc: 'x' }] }, 'writes[0] is not a cell write'],
        [{ insert: [message], update: [{ hlc: HLC, synced: 'yes' }] }, 'update[0] is not a flag update'],
        [{ insert: [message], remove: [null] }, 'remove[0] is not an hlc string'],
        [{ insert: [message], meta: { cursor: 5 } }, 'meta values must be strings'],
      ] as const) {
        await refusal(() => store.commit(commit as never), `${COMMIT}: ${why}`);
      }
      await refusal(() => store.winners([{ table: 'todos', row: 't1', column: 'title' }, null] as never), 'store.winners() takes an array of cells: cells[1] is not a cell: { table, row, column } strings');
      await refusal(() => store.values?.([{ table: 'todos', row: 1, column: 'title' }] as never), 'store.values() takes an array of cells: cells[0] is not a cell: { table, row, column } strings');
      if (store.transact) {
        await refusal(() => store.transact?.('todos' as never, () => ({})), 'store.transact() takes an array of cells and a plan function');
        await refusal(() => store.transact?.([], 5 as never), 'store.transact() takes an array of cells and a plan function');
        // The plan's commit too (inside the transaction, which it rolls back).
        await refusal(() => store.transact?.([write], () => ({ insert: [message], writes: [null] } as never)), `${COMMIT}: writes[0] is not a cell write`);
      }
      expect(await store.messages({ kind: 'recent', limit: 10 })).toEqual([]); // none of them wrote anything
      // The schema it was opened with is still its own: a write of a declared cell commits.
      const hlc = HLC;
      await store.commit({ insert: [{ hlc, table: 'todos', row: 't1', column: 'title', value: 'Buy milk', local: true, synced: false, applied: true, error: null }], writes: [{ hlc, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' }] });
      expect([...(await store.winners([{ table: 'todos', row: 't1', column: 'title' }])).values()]).toEqual([hlc]);
      expect((await store.messages({ kind: 'pending', limit: 10 })).map((m) => m.hlc)).toEqual([hlc]);
      expect(await store.messages({ kind: 'recent', limit: 0 })).toEqual([]); // a limit of 0 is a query for none
    } finally {
      await close();
    }
  });

  it("createMemoryServerStore()'s methods refuse what the sync handler would never pass", async () => {
    const store = server.createMemoryServerStore();
    const message = { hlc: HLC, table: 'todos', row: 't1', column: 'title', value: 'Buy milk' };
    await refusal(() => store.push(5 as never, [message]), 'push: userId must be a non-empty string');
    await refusal(() => store.push('', [message]), 'push: userId must be a non-empty string');
    await refusal(() => store.push('u1', message as never), 'push: messages must be an array');
    await refusal(() => store.push('u1', [message, { ...message, hlc: 'soon' }]), 'push: message 1: hlc is not a valid HLC timestamp');
    expect(store.dump('u1')).toEqual([]); // all or nothing: the valid message was not stored either
    const pull = { cursor: 0, limit: 10, excludeClientId: 'other' };
    await refusal(() => store.pull('u1', null as never), 'pull: options must be an object');
    await refusal(() => store.pull(5 as never, { cursor: 0, limit: 10, excludeClientId: 'other' }), 'pull: userId must be a non-empty string');
    await refusal(() => store.pull('u1', { ...pull, cursor: -1 }), 'pull: options.cursor must be an integer, 0 or more');
    await refusal(() => store.pull('u1', { ...pull, limit: 0 }), 'pull: options.limit must be an integer, 1 or more');
    await refusal(() => store.pull('u1', { ...pull, excludeClientId: undefined } as never), 'pull: options.excludeClientId must be a string');
    await refusal(() => store.pull('u1', { ...pull, includeOwn: 'yes' } as never), 'pull: options.includeOwn must be a boolean or absent');
    await refusal(() => store.renewEpoch('u1', 5 as never), 'renewEpoch: current must be the epoch, a string');
    await refusal(() => store.dump(null as never), 'dump: userId must be a non-empty string');
    // Compaction is on unless turned off: a later edit of a cell replaces the earlier one.
    const compacting = server.createMemoryServerStore();
    await compacting.push('u1', [message, { ...message, hlc: HLC.replace('0000', '0001'), value: 'Call mum' }]);
    expect(compacting.dump('u1').map((m) => m.value)).toEqual(['Call mum']);
    // What the contract passes works as before.
    expect(await store.push('u1', [message])).toMatchObject({ accepted: 1, stored: 1, maxId: 1 });
    expect((await store.pull('u1', pull)).messages.map((m) => m.hlc)).toEqual([HLC]);
  });

  it("createInProcessServer()'s remote(userId) and the HTTP remote's sync() refuse what is not theirs", async () => {
    const inProcess = testing.createInProcessServer();
    for (const userId of [5, '', null, {}]) {
      await refusal(() => inProcess.remote(userId as never), 'createInProcessServer: remote(userId) takes a non-empty string');
    }
    const remote = root.createHttpRemote({ url: 'http://127.0.0.1:9', token: 't' });
    const request = { clientId: 'c1', cursor: 0, messages: [] };
    const why = 'remote.sync(request, options?) takes a sync request and { signal?: AbortSignal }';
    await refusal(() => remote.sync(null as never), why);
    await refusal(() => remote.sync(5 as never), why);
    await refusal(() => remote.sync(request, 5 as never), why);
    await refusal(() => remote.sync(request, { signal: null } as never), why);
    await refusal(() => remote.sync(request, null as never), why);
    await refusal(() => remote.sync(request, { signal: 5 } as never), why);
  });
});
