/**
 * Values that have no text. The library reports a failure of the app's code or of a store
 * with the thrown value's text in its message; `String()` throws a TypeError for an object
 * without a prototype (`Object.create(null)`) or a revoked Proxy, so each such report became
 * an untyped TypeError of its own: a store that threw one failed `set()` with "Cannot
 * convert object to primitive value", a token function that threw one made the client
 * report "the server could not be reached". Each is now the typed error it is for any other
 * thrown value (errors.ts `errorText`).
 */
import { describe, expect, it } from 'vitest';
import { FieldsyncError, StoreError, ValidationError, createHttpRemote, createSyncClient } from '../index.ts';
import { describeError, errorText } from '../errors.ts';
import { formatHlc, parseHlc } from '../hlc.ts';
import { ProtocolError } from '../protocol.ts';
import { checkServerStoreCall } from '../server/index.ts';
import type { SyncStore } from '../store.ts';
import { memory, schema } from './harness/test-kit.ts';
import { caught } from '../../../test-support/refusal.ts';

const textless = (): unknown => Object.create(null) as unknown;
const revoked = (): unknown => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

describe('errorText', () => {
  it("is an Error's message, or the value as text", () => {
    expect(errorText(new Error('disk full'))).toBe('disk full');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(42)).toBe('42');
    expect(errorText(undefined)).toBe('undefined');
    expect(errorText(Symbol('s'))).toBe('Symbol(s)');
  });

  it('never throws: a value without text is named by its type', () => {
    expect(errorText(textless())).toBe('[object]');
    expect(errorText(revoked())).toBe('[object]');
    expect(describeError(textless())).toEqual({ code: 'internal', message: '[object]' });
    expect(() => parseHlc(textless())).toThrow(ValidationError);
  });
});

describe('a value without text, thrown or given', () => {
  it("thrown by a store: the write fails with a StoreError naming the store's function", async () => {
    const inner = memory();
    const store: SyncStore = {
      open: (s) => inner.open(s),
      commit: (c) => (c.writes?.length ? Promise.reject(textless()) : inner.commit(c)),
      winners: (cells) => inner.winners(cells),
      messages: (q) => inner.messages(q),
    };
    const client = await createSyncClient({ schema, store });
    const err = await caught(() => client.set('todos', 't1', 'title', 'x'));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toBe('the store failed in commit(): [object]');
    await client.close();
  });

  it("thrown by the app's getter of a written value: a ValidationError", async () => {
    const client = await createSyncClient({ schema, store: memory() });
    const fields = { get title(): string { throw textless(); } };
    const err = await caught(() => client.update('todos', 't1', fields));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument' });
    await client.close();
  });

  it('thrown by the token function: a ValidationError naming it, not a network failure', async () => {
    let calls = 0;
    const remote = createHttpRemote({ url: 'http://127.0.0.1:9', token: () => { throw textless(); }, fetch: async () => { calls++; return new Response('{}'); } });
    const err = await caught(() => remote.sync({ clientId: 'c', cursor: 0 }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_argument', message: 'createHttpRemote: the token function threw: [object]' });
    expect(calls).toBe(0);
  });

  it("thrown by the client's now(): a ValidationError", async () => {
    let broken = false;
    const client = await createSyncClient({ schema, store: memory(), now: () => { if (broken) throw textless(); return Date.now(); } });
    broken = true;
    const err = await caught(() => client.set('todos', 't1', 'title', 'x'));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/now\(\) threw: \[object\]/);
    await client.close();
  });

  it('given as an event name or a URL: a ValidationError', async () => {
    const client = await createSyncClient({ schema, store: memory() });
    for (const event of [textless(), revoked()]) {
      expect(() => client.on(event as 'change', () => {})).toThrow(ValidationError);
    }
    expect(() => client.on('changes' as 'change', () => {})).toThrow('unknown event: changes');
    await client.close();
    for (const url of [textless(), revoked()]) {
      const err = await caught(() => createHttpRemote({ url: url as string, token: 't' }));
      expect(err).toBeInstanceOf(FieldsyncError);
      expect((err as Error).message).toMatch(/url must start with http/);
    }
  });
});

describe('given where a message names it', () => {
  it('as the method of checkServerStoreCall: a ValidationError', () => {
    for (const method of [textless(), revoked(), Symbol('push')]) {
      expect(() => checkServerStoreCall(method as never, 'u', {})).toThrow(ValidationError);
    }
    expect(() => checkServerStoreCall(textless() as never, 'u', {})).toThrow("checkServerStoreCall: method must be 'push', 'pull' or 'renewEpoch', not [object]");
  });

  it('as the code of a ProtocolError, or any code that is not a protocol one: a ValidationError', () => {
    expect(() => new ProtocolError(textless() as never, 'm')).toThrow(new ValidationError('invalid_argument', 'ProtocolError: unknown code [object]'));
    expect(() => new ProtocolError('bogus' as never, 'm')).toThrow(new ValidationError('invalid_argument', 'ProtocolError: unknown code bogus'));
    expect(() => new ProtocolError('toString' as never, 'm')).toThrow(ValidationError);
    expect(new ProtocolError('invalid_request', textless() as never).message).toBe('[object]');
    expect(new ProtocolError('not_found', 'no such endpoint')).toMatchObject({ code: 'not_found', status: 404, message: 'no such endpoint' });
  });

  it('as the time or counter of formatHlc: a ValidationError', () => {
    expect(() => formatHlc({ millis: Symbol('t') as never, counter: 0, clientId: 'a' })).toThrow(new ValidationError('invalid_argument', 'HLC time out of range: Symbol(t)'));
    expect(() => formatHlc({ millis: 0, counter: textless() as never, clientId: 'a' })).toThrow(new ValidationError('invalid_argument', 'HLC counter out of range: [object]'));
    expect(() => formatHlc({ millis: 0, counter: 1.5, clientId: 'a' })).toThrow(new ValidationError('invalid_argument', 'HLC counter out of range: 1.5'));
  });
});
