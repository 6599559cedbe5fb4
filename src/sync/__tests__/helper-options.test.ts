/**
 * The options of the helpers outside the client: `nodeFetch` (fieldsync/node),
 * `createMemoryServerStore` (fieldsync/server) and `createInProcessServer` (fieldsync/testing).
 * As the client's and the remote's options are (option-checks.test.ts), they are checked when
 * the helper is made (nodeFetch's with a TypeError, as fetch refuses a bad init): options that are not an object were a TypeError ("Cannot read
 * properties of null") or silently nothing, and a misspelt key was ignored unseen (an agent
 * with the app's CA not used; compaction left on).
 */
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../index.ts';
import { nodeFetch } from '../../node/index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';

/** `make(options)` must throw a ValidationError (a TypeError, as fetch's: `nodeFetch`) whose message is `message`. */
function refused(make: () => unknown, message: string): void {
  let caught: unknown = null;
  try {
    make();
  } catch (err) {
    caught = err;
  }
  if (message.startsWith('nodeFetch')) {
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).toMatchObject({ message });
  } else {
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ code: 'invalid_argument', message });
  }
}

const notObjects: unknown[] = [null, 3, 'fast', () => ({})];

describe('nodeFetch', () => {
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', (options) => {
    refused(() => nodeFetch(options as never), 'nodeFetch: options must be an object');
  });

  it('refuses a misspelt option, naming the one meant, and an agent that is not one', () => {
    refused(() => nodeFetch({ httpagent: new Agent() } as never), 'nodeFetch: unknown option httpagent: the options are httpAgent, httpsAgent');
    refused(() => nodeFetch({ httpAgent: {} } as never), 'nodeFetch: httpAgent must be an http.Agent');
    refused(() => nodeFetch({ httpsAgent: new Agent() } as never), 'nodeFetch: httpsAgent must be an https.Agent');
    // The key is the app's (from a config file, say): its first 80 characters are named.
    refused(() => nodeFetch({ ['k'.repeat(200)]: 1 } as never), `nodeFetch: unknown option ${'k'.repeat(80)}: the options are httpAgent, httpsAgent`);
  });

  it('takes no options, or its agents', () => {
    const agent = new Agent();
    for (const f of [nodeFetch(), nodeFetch({}), nodeFetch({ httpAgent: agent })]) {
      expect(typeof f).toBe('function');
      f.close();
    }
    agent.destroy();
  });
});

describe('createMemoryServerStore', () => {
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', (options) => {
    refused(() => createMemoryServerStore(options as never), 'createMemoryServerStore: options must be an object');
  });

  it('refuses a misspelt option and a compaction that is not a boolean', () => {
    refused(() => createMemoryServerStore({ compation: false } as never), 'createMemoryServerStore: unknown option compation: the options are compaction');
    refused(() => createMemoryServerStore({ compaction: 'no' } as never), 'createMemoryServerStore: compaction must be true or false');
  });

  it('keeps every edit of a cell with compaction off, the last one with it on', async () => {
    const push = (hlc: string) => ({ hlc, table: 't', row: 'r', column: 'c', value: hlc.slice(-1) });
    for (const [compaction, kept] of [[false, 2], [true, 1]] as const) {
      const store = createMemoryServerStore({ compaction });
      await store.push('u', [push('2026-11-24T15:00:00.000Z-0000-a'), push('2026-11-24T15:00:01.000Z-0000-a')]);
      expect(store.dump('u')).toHaveLength(kept);
    }
  });
});

describe('createInProcessServer', () => {
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', (options) => {
    refused(() => createInProcessServer(options as never), 'createInProcessServer: options must be an object');
  });

  it('refuses a misspelt option', () => {
    refused(() => createInProcessServer({ maxDrift: 5 } as never), 'createInProcessServer: unknown option maxDrift: did you mean maxDriftMs?');
  });
});
