/**
 * A token function that fails (audit C, finding 11). It ran inside the `try` that turns every
 * foreign error into a NetworkError: "the server could not be reached", state 'offline',
 * retried forever, while fetch was never called and the real cause was on `err.cause` only,
 * which the status does not carry. Now it is a ValidationError that names the token function,
 * and the client's state is 'error'. It is still retried with backoff: a token function often
 * fetches the token itself (docs/api.md's example does), and fails while the network does.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError, createHttpRemote, createSyncClient } from '../index.ts';
import { createInProcessServer } from '../testing/index.ts';
import { memory, schema, until } from './harness/test-kit.ts';

/** A fetch that counts its calls and answers an empty sync. */
function countingFetch(): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const answer = { accepted: 0, cursor: 0, more: false, serverTime: new Date().toISOString(), messages: [] };
  return {
    fetch: async () => {
      calls++;
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
    },
    calls: () => calls,
  };
}

describe('a token function that throws', () => {
  it('is a ValidationError naming the token function, with the error as cause; fetch is not called', async () => {
    const f = countingFetch();
    const cause = new Error('not signed in yet');
    const remote = createHttpRemote({ url: 'http://127.0.0.1:9', token: () => { throw cause; }, fetch: f.fetch });
    const err = await remote.sync({ clientId: 'c', cursor: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: 'createHttpRemote: the token function threw: not signed in yet', cause });
    expect(f.calls()).toBe(0);
  });

  it("the client says so in its status (state 'error', not 'offline'), retries with backoff, and syncs once the token comes", async () => {
    const server = createInProcessServer();
    let signedIn = false;
    const inner = server.remote('u');
    const remote = createHttpRemote({
      url: 'http://sync.test',
      token: async () => {
        if (!signedIn) throw new Error('not signed in yet');
        return 'tok';
      },
      // The server itself, behind a fetch: the request as the in-process server would take it.
      fetch: async (_url, init) => new Response(JSON.stringify(await inner.sync(JSON.parse(String(init?.body)))), { status: 200 }),
    });
    const client = await createSyncClient({ schema, store: memory(), remote, intervalMs: 0, debounceMs: 0, retry: { initialMs: 5, maxMs: 10 } });
    await client.set('todos', 't1', 'title', 'x');
    await until(() => client.status.state === 'error');
    expect(client.status.error).toEqual({ code: 'invalid_argument', message: 'createHttpRemote: the token function threw: not signed in yet' });
    expect(client.status.nextRetryAt).not.toBeNull();
    signedIn = true;
    await until(() => client.status.state === 'idle' && client.status.pending === 0);
    await client.close();
  });
});

describe('what a token function returns', () => {
  it.each([
    ['undefined (it sent "Bearer undefined")', undefined],
    ['a number', 5],
    ['a line break (fetch refused it: "the server could not be reached")', 'tok\r\nX-Evil: 1'],
    ['a space', 'tok en'],
  ])('%s: a ValidationError, and nothing is sent', async (_name, value) => {
    const f = countingFetch();
    const remote = createHttpRemote({ url: 'http://x', token: () => value as never, fetch: f.fetch });
    const err = await remote.sync({ clientId: 'c', cursor: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ message: 'createHttpRemote: the token function must return a string (printable ASCII, no spaces)' });
    expect(f.calls()).toBe(0);
  });

  it('a token string is checked the same way where it is given; an empty one goes out (the server answers 401)', async () => {
    for (const bad of ['tok\n', 'é', 'a b']) {
      expect(() => createHttpRemote({ url: 'http://x', token: bad })).toThrow(ValidationError);
      expect(() => createHttpRemote({ url: 'http://x', token: 't' }).setToken(bad)).toThrow(ValidationError);
    }
    const f = countingFetch();
    await createHttpRemote({ url: 'http://x', token: '', fetch: f.fetch }).sync({ clientId: 'c', cursor: 0 });
    await createHttpRemote({ url: 'http://x', token: () => 'eyJ.a-b_c~d+e/f=', fetch: f.fetch }).sync({ clientId: 'c', cursor: 0 });
    expect(f.calls()).toBe(2);
  });
});
