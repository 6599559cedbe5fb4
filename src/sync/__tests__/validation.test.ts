import { describe, expect, it } from 'vitest';
import { SchemaError, defineSchema, utf8Length } from '../index.ts';
import { formatHlc } from '../hlc.ts';
import { VALUE_MAX_BYTES, VALUE_MAX_DEPTH, codePoints, isWellFormed, messageError, rowError, validateMessages, valueError } from '../message.ts';
import { ValidationError } from '../errors.ts';
import { ProtocolError, findClockDrift, parseSyncRequest } from '../protocol.ts';
import { parseSyncResponse } from '../sync-response.ts';
import { schemaValueError } from '../schema.ts';

const T = Date.UTC(2026, 10, 24, 15, 0, 0);
const hlc = (clientId = 'c1', ms = T) => formatHlc({ millis: ms, counter: 0, clientId });
const good = { hlc: hlc(), table: 'todos', row: 'r1', column: 'title', value: 'x' };

describe('messages (docs/protocol.md §3)', () => {
  it('accepts a good message and any JSON value, null included', () => {
    for (const value of [null, true, 0, -1.5, '', 'x', [], [1, [2]], {}, { a: { b: null } }]) {
      expect(messageError({ ...good, value })).toBeNull();
    }
  });

  // Each refusal names its reason: a check removed would let the next check answer instead.
  it.each([
    ['not an object', 'x', /^message must be an object$/],
    ['null', null, /^message must be an object$/],
    ['an array', [], /^message must be an object$/],
    ['bad hlc', { ...good, hlc: 'yesterday' }, /^hlc is not a valid HLC timestamp$/],
    ['table with a dash', { ...good, table: 'to-dos' }, /^table must match/],
    ['table starting with a digit', { ...good, table: '1todos' }, /^table must match/],
    ['table of 64 characters', { ...good, table: `t${'x'.repeat(63)}` }, /^table must match/],
    ['empty row', { ...good, row: '' }, /^row must be a non-empty string$/],
    ['row of 129 characters', { ...good, row: 'r'.repeat(129) }, /^row must be at most 128 characters$/],
    ['row with NUL', { ...good, row: 'a\u0000b' }, /^row must not contain U\+0000$/],
    ['row with a lone surrogate', { ...good, row: 'a\ud800' }, /^row must be well-formed Unicode/],
    ['numeric row', { ...good, row: 5 }, /^row must be a non-empty string$/],
    ['column with a space', { ...good, column: 'my title' }, /^column must match/],
    // A pattern's test() would read ['todos'] as the text 'todos'.
    ['table in an array', { ...good, table: ['todos'] }, /^table must match/],
    ['column in an array', { ...good, column: ['title'] }, /^column must match/],
    ['missing value', { hlc: good.hlc, table: 'todos', row: 'r', column: 'c' }, /^value is missing$/],
    ['undefined value', { ...good, value: undefined }, /^value contains undefined, which is not JSON$/],
    ['NaN', { ...good, value: NaN }, /^value contains a number that JSON cannot represent$/],
    ['Infinity nested', { ...good, value: { a: [Infinity] } }, /^value contains a number that JSON cannot represent$/],
    ['a Date', { ...good, value: new Date() }, /^value contains an object that is not plain JSON$/],
    ['a function', { ...good, value: () => 1 }, /^value contains a function, which is not JSON$/],
    ['a BigInt', { ...good, value: 1n }, /^value contains a bigint, which is not JSON$/],
    ['a sparse array', { ...good, value: [1, , 3] }, /^value contains undefined, which is not JSON$/], // eslint-disable-line no-sparse-arrays
    ['an array with a property besides its elements', { ...good, value: { a: Object.assign([1, 2], { label: 'x' }) } }, /^value contains an array with properties besides its elements, which JSON drops$/],
    ['an object with a symbol key', { ...good, value: { [Symbol('s')]: 1, a: 1 } }, /^value contains a symbol key, which JSON drops$/],
    ['an array with a symbol key, nested', { ...good, value: { a: Object.assign([1], { [Symbol('s')]: 1 }) } }, /^value contains a symbol key, which JSON drops$/],
    ['a value over 64 KiB', { ...good, value: 'x'.repeat(VALUE_MAX_BYTES) }, /^value is 65538 bytes of JSON; the limit is 65536$/],
  ])('rejects %s, saying why', (_name, m, why) => {
    expect(messageError(m)).toMatch(why);
  });

  it('accepts an object without a prototype (Object.create(null)), which is plain JSON', () => {
    expect(valueError(Object.assign(Object.create(null) as object, { a: 1, b: [Object.create(null)] }))).toBeNull();
  });

  it("checks a list as a server receives it: the first bad message's reason and index, then the sender's clientId", () => {
    const second = { ...good, hlc: hlc('c1', T + 1), table: 'to-dos' };
    const thrown = (f: () => unknown): ValidationError => {
      try {
        f();
      } catch (err) {
        return err as ValidationError;
      }
      throw new Error('nothing thrown');
    };
    // The hlc ends in the request's clientId: only the message's own check can refuse it.
    const bad = thrown(() => validateMessages([good, second], 'c1'));
    expect(bad).toBeInstanceOf(ValidationError);
    expect([bad.code, bad.message, bad.index]).toEqual(['invalid_message', 'message 1: table must match ^[A-Za-z_][A-Za-z0-9_]{0,62}$', 1]);
    const other = thrown(() => validateMessages([good], 'c2'));
    expect([other.code, other.message, other.index]).toEqual(['invalid_message', "message 0: hlc does not end in the request's clientId", 0]);
    // The five fields alone, anything else dropped.
    expect(validateMessages([{ ...good, id: 7, extra: true }], 'c1')).toEqual([good]);
  });

  it('counts rows in characters (code points) and values in UTF-8 bytes', () => {
    expect(rowError('👍'.repeat(128))).toBeNull();
    expect(rowError('👍'.repeat(129))).not.toBeNull();
    expect(utf8Length('aé€👍')).toBe(1 + 2 + 3 + 4);
    expect(valueError('é'.repeat(VALUE_MAX_BYTES / 2 - 1))).toBeNull(); // 2 quotes + 2 bytes each
    expect(valueError('é'.repeat(VALUE_MAX_BYTES / 2))).toMatch(/limit/);
  });

  it('counts UTF-8 bytes at every boundary of the encoding, a lone surrogate as the 3 bytes of U+FFFD', () => {
    for (const [text, bytes] of [
      ['\u007f', 1], ['\u0080', 2], ['\u07ff', 2], ['\u0800', 3], ['\uffff', 3],
      ['\ud800\udc00', 4], ['\udbff\udfff', 4], // the first and the last pair
      ['\ud800', 3], ['\ud800a', 4], ['\udc00', 3], ['\ud800\ud800', 6], ['\udbff\u0041', 4],
      // A low surrogate after a character that is not a high one is lone: after another low
      // one, after a 3-byte character, and a character above the surrogates before a 2-byte one.
      ['\udc00\udc00', 6], ['\u30a2\udc00', 6], ['\uffff\u00e9', 5], ['\ue000\udc00', 6],
    ] as const) {
      expect([text, utf8Length(text)]).toEqual([text, bytes]);
      // What an encoder makes of it: a lone surrogate becomes U+FFFD.
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      if (isWellFormed(text)) expect(utf8Length(text)).toBe(Buffer.byteLength(text));
    }
  });

  it('counts code points and finds lone surrogates in one pass (negative count: ill-formed)', () => {
    expect(codePoints('\udbff\udfff')).toBe(1); // the last pair
    expect(codePoints('\ud800\udc00')).toBe(1); // the first
    for (const lone of ['\ud800', '\udbff', '\udc00', '\udfff']) expect(codePoints(lone)).toBe(-1); // the ends of both ranges
    expect(codePoints('')).toBe(0);
    expect(codePoints('aé€👍')).toBe(4); // a pair is one character
    expect(codePoints('👍👍')).toBe(2);
    // Lone surrogates: a high one at the end, a low one alone, a high one before a non-low,
    // a low one before a high one, and a high one before a pair. Each counts as one character.
    expect(codePoints('a\ud83d')).toBe(-2);
    expect(codePoints('\udc4da')).toBe(-2);
    expect(codePoints('\ud83da👍')).toBe(-3);
    expect(codePoints('\udc4d\ud83d')).toBe(-2);
    expect(codePoints('\ud83d\ud83d\udc4d')).toBe(-2);
    expect(codePoints('\udc4d\udc4d')).toBe(-2); // two low ones are no pair
    // Characters above the surrogates (U+E000 to U+FFFF) are one each, beside a pair too.
    expect(codePoints('\uff71\ue000👍')).toBe(3);
    expect(rowError('\uff71👍')).toBeNull();
    for (const s of ['', 'abc', '👍', 'é👍x']) expect(isWellFormed(s)).toBe(true);
    for (const s of ['\ud83d', '\udc4d', 'a\ud83db', '\udc4d\ud83d']) expect(isWellFormed(s)).toBe(false);
  });

  it('names the first problem of a row id: length (a lone surrogate counts as one character), then U+0000, then form', () => {
    expect(rowError(`${'👍'.repeat(127)}\ud83d`)).toMatch(/well-formed/); // 128 characters, one of them lone
    expect(rowError(`${'a'.repeat(128)}\ud83d`)).toMatch(/at most 128/); // 129 (in 129 units), one of them lone
    expect(rowError(`${'👍'.repeat(64)}${'a'.repeat(64)}\udc4d`)).toMatch(/at most 128/); // 129 in 193 units
    expect(rowError(`${'👍'.repeat(100)}\u0000\ud83d`)).toMatch(/U\+0000/);
    expect(rowError(`${'👍'.repeat(100)}\u0000`)).toMatch(/U\+0000/);
    expect(rowError('👍'.repeat(100))).toBeNull();
  });

  it('rejects cycles and deep nesting with a fixed limit, never a stack overflow', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(valueError(cyclic)).toMatch(/cycle/);
    const nest = (n: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = i % 2 ? [v] : { v };
      return v;
    };
    expect(valueError(nest(VALUE_MAX_DEPTH))).toBeNull();
    expect(valueError(nest(VALUE_MAX_DEPTH + 1))).toMatch(/nested/);
    expect(valueError(nest(100_000))).toMatch(/nested/);
    expect(valueError(Array.from({ length: 70_000 }, () => 0))).toMatch(/elements|bytes/);
  });

  it('stops walking a value after as many elements as 64 KiB of JSON can hold: shared parts cannot make it walk for ever', () => {
    // Levels (within the depth limit) of an array holding the level below twice: 2^n elements
    // to walk. At 60 levels no runtime could walk them, or build the JSON text; 20 levels keep
    // this test quick should the bound be gone (it would then answer with the JSON's size).
    let shared: unknown = 0;
    for (let i = 0; i < 20; i++) shared = [shared, shared];
    expect(valueError(shared)).toBe(`value has more elements than ${VALUE_MAX_BYTES} bytes of JSON can hold`);
  });
});

describe('sync requests and responses (docs/protocol.md §5)', () => {
  const req = { clientId: 'c1', cursor: 0, messages: [good] };

  it('parses a good request and fills in the default limit', () => {
    expect(parseSyncRequest(req)).toEqual({ clientId: 'c1', cursor: 0, limit: 1000, messages: [good], pages: 1, own: false });
    expect(parseSyncRequest({ ...req, epoch: 'Qx7f-_9' })).toEqual({ clientId: 'c1', cursor: 0, limit: 1000, messages: [good], pages: 1, epoch: 'Qx7f-_9', own: false });
    expect(parseSyncRequest({ ...req, epoch: '' })).toMatchObject({ epoch: '' });
    expect(parseSyncRequest({ ...req, own: true })).toMatchObject({ own: true });
  });

  it('accepts the limits themselves: a limit of 1 and of 5000, and 5000 messages', () => {
    expect(parseSyncRequest({ ...req, limit: 1 }).limit).toBe(1);
    expect(parseSyncRequest({ ...req, limit: 5000 }).limit).toBe(5000);
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...good, row: `r${i}`, hlc: hlc('c1', T + i) }));
    expect(parseSyncRequest({ ...req, messages: many }).messages).toHaveLength(5000);
  });

  it.each([
    ['no body', null, 'invalid_request', undefined],
    ['array body', [], 'invalid_request', undefined],
    ['bad clientId', { ...req, clientId: 'a b' }, 'invalid_request', undefined],
    ['negative cursor', { ...req, cursor: -1 }, 'invalid_request', undefined],
    ['fractional cursor', { ...req, cursor: 1.5 }, 'invalid_request', undefined],
    ['string cursor', { ...req, cursor: '1' }, 'invalid_request', undefined],
    ['limit 0', { ...req, limit: 0 }, 'invalid_request', undefined],
    ['limit 5001', { ...req, limit: 5001 }, 'invalid_request', undefined],
    ['messages not an array', { ...req, messages: {} }, 'invalid_request', undefined],
    ['5001 messages', { ...req, messages: Array.from({ length: 5001 }, () => good) }, 'invalid_request', undefined],
    ['second message invalid', { ...req, messages: [good, { ...good, table: '' }] }, 'invalid_message', 1],
    ['hlc of another client', { ...req, messages: [good, good, { ...good, hlc: hlc('c2') }] }, 'invalid_message', 2],
    ['an epoch that is not a string', { ...req, epoch: 7 }, 'invalid_request', undefined],
    ['an epoch of 65 characters', { ...req, epoch: 'e'.repeat(65) }, 'invalid_request', undefined],
    ['an epoch with a space', { ...req, epoch: 'a b' }, 'invalid_request', undefined],
  ])('refuses %s', (_name, body, code, index) => {
    try {
      parseSyncRequest(body);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe(code);
      expect((err as ProtocolError).status).toBe(400);
      expect((err as ProtocolError).index).toBe(index);
    }
  });

  it('finds the first message too far ahead of the server clock', () => {
    const msgs = [good, { ...good, hlc: hlc('c1', T + 301_000) }, { ...good, hlc: hlc('c1', T + 999_999) }];
    expect(findClockDrift(msgs, T, 300_000)).toBe(1);
    expect(findClockDrift(msgs.slice(0, 1), T, 300_000)).toBe(-1);
    expect(findClockDrift([{ ...good, hlc: hlc('c1', T + 300_000) }], T, 300_000)).toBe(-1); // at the limit: not past it
  });

  it('checks server answers: ids in order and within the cursor', () => {
    const answer = { accepted: 0, cursor: 5, more: false, serverTime: new Date(T).toISOString(), messages: [{ ...good, id: 4 }] };
    expect(parseSyncResponse(answer, 0).messages).toHaveLength(1);
    expect(() => parseSyncResponse({ ...answer, cursor: 3 }, 0)).toThrow(/beyond cursor/);
    expect(() => parseSyncResponse(answer, 6)).toThrow(/backwards/);
    expect(() => parseSyncResponse({ ...answer, messages: [{ ...good }] }, 0)).toThrow(/id/);
    expect(() => parseSyncResponse({ ...answer, serverTime: 'soon' }, 0)).toThrow(/serverTime/);
    // Two messages with one id, or one at the cursor sent: ids must increase after it.
    const second = { ...good, hlc: hlc('c1', T + 1), id: 4 };
    expect(() => parseSyncResponse({ ...answer, messages: [{ ...good, id: 4 }, second] }, 0)).toThrow(/message 1: id out of order/);
    expect(() => parseSyncResponse(answer, 4)).toThrow(/message 0: id out of order/);
  });

  it('passes the epoch of an answer on, and refuses a malformed one', () => {
    const answer = { accepted: 0, cursor: 5, more: false, serverTime: new Date(T).toISOString(), messages: [] };
    expect(parseSyncResponse(answer, 0)).not.toHaveProperty('epoch');
    expect(parseSyncResponse({ ...answer, epoch: 'abc' }, 0).epoch).toBe('abc');
    expect(parseSyncResponse({ ...answer, epoch: '' }, 0).epoch).toBe('');
    expect(() => parseSyncResponse({ ...answer, epoch: 12 }, 0)).toThrow(/epoch/);
    expect(() => parseSyncResponse({ ...answer, epoch: 'no way' }, 0)).toThrow(/epoch/);
  });
});

describe('schema', () => {
  const schema = defineSchema({
    version: 1,
    tables: { todos: { title: { type: 'string', maxLength: 5 }, done: 'boolean', n: 'integer', x: 'number', j: { type: 'json', nullable: true } } },
  });

  it('checks values against column types', () => {
    expect(schemaValueError(schema, 'todos', 'title', 'abcde')).toBeNull();
    expect(schemaValueError(schema, 'todos', 'title', '👍👍👍👍👍')).toBeNull();
    expect(schemaValueError(schema, 'todos', 'title', 'abcdef')).toMatch(/at most 5/);
    expect(schemaValueError(schema, 'todos', 'title', 'a\udc00')).toMatch(/well-formed/);
    expect(schemaValueError(schema, 'todos', 'title', '👍👍👍👍👍👍')).toMatch(/at most 5/); // 6 characters, 12 UTF-16 units
    expect(schemaValueError(schema, 'todos', 'title', 'abc\ud83d')).toMatch(/well-formed/); // within the length, a lone surrogate
    expect(schemaValueError(schema, 'todos', 'title', 'abcdef\ud83d')).toMatch(/well-formed/); // form before length
    expect(schemaValueError(schema, 'todos', 'title', null)).toMatch(/null/);
    expect(schemaValueError(schema, 'todos', 'done', 1)).toMatch(/boolean/);
    expect(schemaValueError(schema, 'todos', 'n', 1.5)).toMatch(/integer/);
    expect(schemaValueError(schema, 'todos', 'x', '1')).toMatch(/number/);
    expect(schemaValueError(schema, 'todos', 'j', null)).toBeNull();
    expect(schemaValueError(schema, 'todos', '_deleted', true)).toBeNull();
    expect(schemaValueError(schema, 'todos', 'nope', 1)).toMatch(/unknown column/);
    expect(schemaValueError(schema, 'nope', 'title', 1)).toMatch(/unknown table/);
  });

  it.each([
    ['a bad version', { version: 0, tables: {} }],
    ['a bad table name', { version: 1, tables: { 'my-table': {} } }],
    ['a reserved table name', { version: 1, tables: { _meta: {} } }],
    ['tables differing by case', { version: 1, tables: { todos: {}, Todos: {} } }],
    ['the id column', { version: 1, tables: { t: { id: 'string' } } }],
    ['a reserved column', { version: 1, tables: { t: { _deleted: 'boolean' } } }],
    ['an unknown type', { version: 1, tables: { t: { c: 'date' } } }],
    ['maxLength on a number', { version: 1, tables: { t: { c: { type: 'number', maxLength: 3 } } } }],
  ])('refuses %s', (_name, input) => {
    expect(() => defineSchema(input as never)).toThrow(SchemaError);
  });

  it.each<[string, unknown]>([
    ['no schema', null],
    ['a schema that is a string', 'todos'],
    ['tables that are null', { version: 1, tables: null }],
    ['tables that are a string', { version: 1, tables: 'todos' }],
    ['a table whose columns are null', { version: 1, tables: { t: null } }],
    ['a table whose columns are a string', { version: 1, tables: { t: 'title' } }],
    ['a column spec that is null', { version: 1, tables: { t: { c: null } } }],
    ['a column spec without a type', { version: 1, tables: { t: { c: { nullable: true } } } }],
    ['a column spec that is a number', { version: 1, tables: { t: { c: 5 } } }],
    ['columns differing by case', { version: 1, tables: { t: { title: 'string', Title: 'string' } } }],
    ['a version that is a string', { version: '1', tables: {} }],
    ['a fractional version', { version: 1.5, tables: {} }],
    ...[0, -1, 1.5, '5', Infinity].map((maxLength): [string, unknown] => [`maxLength ${String(maxLength)}`, { version: 1, tables: { t: { c: { type: 'string', maxLength } } } }]),
  ])('refuses %s with a SchemaError', (_name, input) => {
    expect(() => defineSchema(input as never)).toThrow(SchemaError);
  });

  it('says which part of a declaration is not an object', () => {
    expect(() => defineSchema('todos' as never)).toThrow(new SchemaError('schema must be an object'));
    expect(() => defineSchema({ version: 1, tables: 'todos' } as never)).toThrow(new SchemaError('schema tables must be an object'));
    expect(() => defineSchema({ version: 1, tables: { t: 'title' } } as never)).toThrow(new SchemaError('table t: columns must be an object'));
  });

  it('checks strings by their JSON size only when they could exceed it, at the exact boundary', () => {
    const s = defineSchema({ version: 1, tables: { t: { text: 'string', n: 'number', j: 'json' } } });
    expect(schemaValueError(s, 't', 'text', 'x'.repeat(VALUE_MAX_BYTES - 2))).toBeNull(); // its JSON: exactly the limit
    expect(schemaValueError(s, 't', 'text', 'x'.repeat(VALUE_MAX_BYTES - 1))).toBe('t.text: value is 65537 bytes of JSON; the limit is 65536');
    // A control character is 6 bytes of JSON (\u0001): 10,922 of them fit, 10,923 do not.
    expect(schemaValueError(s, 't', 'text', '\u0001'.repeat(10_922))).toBeNull();
    expect(schemaValueError(s, 't', 'text', '\u0001'.repeat(10_923))).toBe('t.text: value is 65540 bytes of JSON; the limit is 65536');
    expect(schemaValueError(s, 't', 'text', '')).toBeNull(); // no maxLength: any length within the limit
    for (const bad of [Number.NaN, Infinity, -Infinity]) expect(schemaValueError(s, 't', 'n', bad)).toBe('t.n must be a finite number');
    expect(schemaValueError(s, 't', 'j', { a: undefined })).toBe('t.j: value contains undefined, which is not JSON');
    expect(schemaValueError(s, 't', '_deleted', null)).toBe('t._deleted may not be null');
    expect(schemaValueError(defineSchema({ version: 1, tables: { t: { c: { type: 'string', maxLength: 1 } } } }), 't', 'c', 'é')).toBeNull();
  });

  // A misspelt option would otherwise drop its rule unseen: `maxlength: 5` enforced nothing,
  // and `nullable: 'no'` (truthy) let null in.
  it.each([
    ['a misspelt option', { type: 'string', maxlength: 5 }, /t\.c: unknown option maxlength; a column has type, nullable, maxLength/],
    ['an option no column has', { type: 'json', default: {} }, /unknown option default/],
    ['nullable as a string', { type: 'json', nullable: 'no' }, /t\.c: nullable must be true or false/],
    ['nullable as a number', { type: 'string', nullable: 1 }, /nullable must be true or false/],
  ])('refuses a column with %s, naming it', (_name, column, message) => {
    expect(() => defineSchema({ version: 1, tables: { t: { c: column as never } } })).toThrow(SchemaError);
    expect(() => defineSchema({ version: 1, tables: { t: { c: column as never } } })).toThrow(message);
  });

  it('accepts every option spelt out, and leaves nullable false unless it is true', () => {
    const s = defineSchema({ version: 1, tables: { t: { a: { type: 'string', nullable: false, maxLength: 3 }, b: { type: 'string', nullable: true }, c: { type: 'integer', nullable: undefined } } } });
    expect(schemaValueError(s, 't', 'a', null)).toMatch(/may not be null/);
    expect(schemaValueError(s, 't', 'a', 'abcd')).toMatch(/at most 3/);
    expect(schemaValueError(s, 't', 'b', null)).toBeNull();
    expect(schemaValueError(s, 't', 'c', null)).toMatch(/may not be null/);
  });
});
