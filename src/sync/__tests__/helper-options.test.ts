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
import { nodeFetch } from '../../node/index.ts';
import { createMemoryServerStore } from '../server/index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { caught, refusal } from '../../../test-support/refusal.ts';

/** `nodeFetch` refuses bad options as `fetch` refuses a bad init: a TypeError whose message is `message`. */
async function fetchRefused(make: () => unknown, message: string): Promise<void> {
  const err = await caught(make);
  expect(err).toBeInstanceOf(TypeError);
  expect(err).toMatchObject({ message });
}

const notObjects: unknown[] = [null, 3, 'fast', () => ({})];

describe('nodeFetch', () => {
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', async (options) => {
    await fetchRefused(() => nodeFetch(options as never), 'nodeFetch: options must be an object');
  });

  it('refuses a misspelt option, naming the one meant, and an agent that is not one', async () => {
    await fetchRefused(() => nodeFetch({ httpagent: new Agent() } as never), 'nodeFetch: unknown option httpagent: the options are httpAgent, httpsAgent');
    await fetchRefused(() => nodeFetch({ httpAgent: {} } as never), 'nodeFetch: httpAgent must be an http.Agent');
    await fetchRefused(() => nodeFetch({ httpsAgent: new Agent() } as never), 'nodeFetch: httpsAgent must be an https.Agent');
    // The key is the app's (from a config file, say): its first 80 characters are named.
    await fetchRefused(() => nodeFetch({ ['k'.repeat(200)]: 1 } as never), `nodeFetch: unknown option ${'k'.repeat(80)}: the options are httpAgent, httpsAgent`);
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
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', async (options) => {
    await refusal(() => createMemoryServerStore(options as never), 'createMemoryServerStore: options must be an object');
  });

  it('refuses a misspelt option and a compaction that is not a boolean', async () => {
    await refusal(() => createMemoryServerStore({ compation: false } as never), 'createMemoryServerStore: unknown option compation: the options are compaction');
    await refusal(() => createMemoryServerStore({ compaction: 'no' } as never), 'createMemoryServerStore: compaction must be true or false');
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
  it.each(notObjects.map((o) => [o]))('refuses %s as its options', async (options) => {
    await refusal(() => createInProcessServer(options as never), 'createInProcessServer: options must be an object');
  });

  it('refuses a misspelt option', async () => {
    await refusal(() => createInProcessServer({ maxDrift: 5 } as never), 'createInProcessServer: unknown option maxDrift: did you mean maxDriftMs?');
  });
});
