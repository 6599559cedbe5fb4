/**
 * errors.ts rule by rule (round 64, from its first mutation run): which failures are the
 * database's passing unavailability (503 with Retry-After) rather than a fault (500), what the
 * operator's warning says, which of Fastify's refusals are the client's, what an answer sent
 * carries, and what of an unexpected error may be logged (never a message value). The
 * real-HTTP suites (internal-error, storage-full, the PostgreSQL ones) reach these through a
 * server; here each edge is taken alone.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from 'fieldsync/server';
import { describe, expect, it } from 'vitest';
import {
  FULL_RETRY_AFTER_S, UNAVAILABLE_RETRY_AFTER_S, isDatabaseUnavailable, isStorageFull, loggableError, protocolError, sendError,
  toErrorReply, unavailableWarning,
} from '../errors.ts';
import { contextOf } from '../request-context.ts';
import { NewerSchemaError } from '../stores/newer-schema.ts';
import { StoreClosingError } from '../stores/postgres-statements.ts';
import { DatabaseTimeoutError } from '../stores/postgres-transaction.ts';

const withCode = (code: unknown, extra: Record<string, unknown> = {}, message = 'x'): Error => Object.assign(new Error(message), { code, ...extra });

describe('isStorageFull', () => {
  it('is SQLite\'s SQLITE_FULL, extended codes included, and PostgreSQL\'s 53100', () => {
    expect(isStorageFull({ errcode: 13 })).toBe(true);
    expect(isStorageFull({ errcode: 13 + 256 })).toBe(true);
    expect(isStorageFull({ errcode: 12 })).toBe(false);
    expect(isStorageFull({ errcode: 14 })).toBe(false);
    expect(isStorageFull({ errcode: 13 * 2 })).toBe(false);
    expect(isStorageFull({ errcode: '13' })).toBe(false);
    expect(isStorageFull({ code: '53100' })).toBe(true);
    expect(isStorageFull({ code: 53100 })).toBe(false);
    expect(isStorageFull({ code: '53000' })).toBe(false);
    expect(isStorageFull(undefined)).toBe(false);
    expect(isStorageFull({})).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  it('is a timeout of the database\'s, and the SQLSTATEs of a database that cannot be reached', () => {
    expect(isDatabaseUnavailable(new DatabaseTimeoutError())).toBe(true);
    for (const code of ['08000', '08006', '08P01', '57P01', '57P02', '57P03', '53300', '57014']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true);
    }
    for (const code of ['0800', '080000', 'x08006', '08006x', '57P04', '57P00', '53301', '57015', '53100', '23505', '08a01']) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(false);
    }
    // Only a string is an SQLSTATE: a number that reads as one is not.
    expect(isDatabaseUnavailable(withCode(8006))).toBe(false);
    expect(isDatabaseUnavailable(withCode(53300))).toBe(false);
    expect(isDatabaseUnavailable(withCode(57014))).toBe(false);
  });

  it('is a socket\'s own failure, never a request whose client went away', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']) {
      expect(isDatabaseUnavailable(withCode(code, { syscall: 'connect' })), code).toBe(true);
      expect(isDatabaseUnavailable(withCode(code)), `${code} without a syscall`).toBe(false);
    }
    expect(isDatabaseUnavailable(withCode('ENOENT', { syscall: 'open' }))).toBe(false);
    expect(isDatabaseUnavailable(withCode('ECONNRESET', { syscall: 1 }))).toBe(false);
  });

  it('is what pg throws without a code, by the start of its message', () => {
    for (const m of ['Connection terminated unexpectedly', 'Connection terminated', 'timeout exceeded when trying to connect', 'Client has encountered a connection error and is not queryable']) {
      expect(isDatabaseUnavailable(new Error(m)), m).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('a Connection terminated'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable({ message: 'Connection terminated' })).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe('unavailableWarning', () => {
  it('says what happened, as far as the error tells', () => {
    const newer = new NewerSchemaError(9, 8);
    expect(unavailableWarning(newer)).toBe(newer.message);
    expect(unavailableWarning({ errcode: 13 })).toBe("the database's storage is full; answering 503 until there is room");
    expect(unavailableWarning(new StoreClosingError())).toMatch(/^this server is stopping: /);
    expect(unavailableWarning(withCode('57P01'))).toMatch(/^PostgreSQL is shutting down or restarting \(it ended our sessions: 57P01\)/);
    expect(unavailableWarning(withCode('57P02'))).toMatch(/^PostgreSQL is restarting after one of its processes crashed \(57P02\)/);
    expect(unavailableWarning(withCode('57P03'))).toMatch(/^PostgreSQL is starting up or shutting down and accepts no connections yet \(57P03\)/);
    expect(unavailableWarning(withCode('ECONNREFUSED', { syscall: 'connect' }))).toBe('the database cannot be reached; answering 503 until it can');
    expect(unavailableWarning(null)).toBe('the database cannot be reached; answering 503 until it can');
  });

  it('a connection cut mid-statement (a backend killed, SIGKILL; a reset) says so, and what the server does next (round 65)', () => {
    const cut = /^our connection to the database was cut while a statement ran \(its PostgreSQL backend was killed, or the network reset it\): answering 503 \(the client retries\); the pool drops that connection and opens a new one for the next request$/;
    expect(unavailableWarning(withCode('ECONNRESET', { syscall: 'read' }))).toMatch(cut);
    expect(unavailableWarning(new Error('Connection terminated unexpectedly'))).toMatch(cut); // pg's words when the socket closes
    expect(unavailableWarning(withCode('ECONNREFUSED', { syscall: 'connect' }))).not.toMatch(cut);
  });
});

describe('toErrorReply', () => {
  const unavailable = (message: string, retryAfter: number) => ({
    status: 503, internal: false, headers: { 'Retry-After': String(retryAfter) }, body: { error: { code: 'unavailable', message } },
  });

  it('keeps a protocol error as it is', () => {
    const e = new ProtocolError('rate_limited', 'slow down');
    expect(toErrorReply(e)).toEqual({ status: e.status, body: e.toBody(), internal: false });
  });

  it('answers Fastify\'s refusals of a body with their protocol errors', () => {
    expect(toErrorReply(withCode('FST_ERR_CTP_BODY_TOO_LARGE'))).toEqual({ status: 413, internal: false, body: { error: { code: 'payload_too_large', message: "the request body is over the server's limit" } } });
    expect(toErrorReply(withCode('FST_ERR_CTP_INVALID_MEDIA_TYPE'))).toEqual({ status: 415, internal: false, body: { error: { code: 'unsupported_media_type', message: 'the body must be application/json' } } });
    expect(toErrorReply(withCode('FST_ERR_CTP_EMPTY_JSON_BODY'))).toEqual({ status: 400, internal: false, body: { error: { code: 'invalid_request', message: 'the body is empty' } } });
    expect(toErrorReply(withCode('FST_ERR_CTP_INVALID_CONTENT_LENGTH'))).toEqual({ status: 400, internal: false, body: { error: { code: 'invalid_request', message: 'the body does not match its Content-Length' } } });
  });

  it('answers the database\'s passing failures 503 with Retry-After, storage full with a longer one', () => {
    expect(toErrorReply(new NewerSchemaError(9, 8))).toEqual(unavailable('this server is older than its database; try again shortly', UNAVAILABLE_RETRY_AFTER_S));
    expect(toErrorReply({ code: '53100' })).toEqual(unavailable("the server's storage is full; try again later", FULL_RETRY_AFTER_S));
    expect(toErrorReply(withCode('57P01'))).toEqual(unavailable('the database cannot be reached right now; try again shortly', UNAVAILABLE_RETRY_AFTER_S));
    expect(toErrorReply(new StoreClosingError())).toMatchObject({ status: 503 });
    expect([UNAVAILABLE_RETRY_AFTER_S, FULL_RETRY_AFTER_S]).toEqual([2, 60]);
  });

  it('answers any other 4xx of Fastify\'s as the client\'s, and the rest as internal', () => {
    const invalid = { status: 400, internal: false, body: { error: { code: 'invalid_request', message: 'the request is malformed' } } };
    const internal = { status: 500, internal: true, body: { error: { code: 'internal', message: 'internal server error' } } };
    expect(toErrorReply(Object.assign(new Error('bad url'), { statusCode: 400 }))).toEqual(invalid);
    expect(toErrorReply(Object.assign(new Error('aborted'), { statusCode: 499 }))).toEqual(invalid);
    expect(toErrorReply(Object.assign(new Error('x'), { statusCode: 399 }))).toEqual(internal);
    expect(toErrorReply(Object.assign(new Error('x'), { statusCode: 500 }))).toEqual(internal);
    expect(toErrorReply(Object.assign(new Error('x'), { statusCode: '400' }))).toEqual(internal);
    expect(toErrorReply(new TypeError('bug'))).toEqual(internal);
    expect(toErrorReply(null)).toEqual(internal);
    expect(toErrorReply(undefined)).toEqual(internal);
  });
});

describe('sendError', () => {
  function reply(): { r: FastifyReply; request: FastifyRequest; sent: { status?: number; headers: Record<string, string>; body?: unknown } } {
    const request = {} as FastifyRequest;
    const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
    const r = {
      request,
      code(s: number) { sent.status = s; return r; },
      header(n: string, v: string) { sent.headers[n] = v; return r; },
      send(b: unknown) { sent.body = b; return r; },
    } as unknown as FastifyReply;
    return { r, request, sent };
  }

  it('sends the status and body, not to be cached, with the headers given, and notes why for the log line', () => {
    const { r, request, sent } = reply();
    const e = protocolError('rate_limited', 'too many requests');
    expect(sendError(r, e, { 'Retry-After': '1' })).toBe(r);
    expect(sent).toEqual({ status: 429, headers: { 'cache-control': 'no-store', 'Retry-After': '1' }, body: { error: { code: 'rate_limited', message: 'too many requests' } } });
    expect(contextOf(request).refusal).toEqual({ code: 'rate_limited', reason: 'too many requests' });
    const plain = reply();
    sendError(plain.r, e);
    expect(plain.sent.headers).toEqual({ 'cache-control': 'no-store' });
  });
});

describe('loggableError', () => {
  it('logs the type, code, message and stack frames of an error', () => {
    const e = withCode(42, {}, 'the thing failed');
    e.stack = 'Error: the thing failed\n    at one (a.ts:1:1)\nnot a frame\n    at two (b.ts:2:2)';
    expect(loggableError(e)).toEqual({ type: 'Error', code: '42', message: 'the thing failed', stack: '    at one (a.ts:1:1)\n    at two (b.ts:2:2)' });
  });

  it('never a SyntaxError\'s message (JSON.parse quotes the text), and at most 500 characters of any other', () => {
    let syntax: unknown;
    try {
      JSON.parse('meet me at noon'); // its message quotes the text, and its stack's first line is the message
    } catch (e) {
      syntax = e;
    }
    const logged = loggableError(syntax);
    expect(logged.type).toBe('SyntaxError');
    expect(logged).not.toHaveProperty('message');
    expect(JSON.stringify(logged)).not.toContain('noon');
    expect(logged.stack).toMatch(/^\s+at /);
    expect(logged).not.toHaveProperty('code');
    expect(loggableError(new Error('m'.repeat(600))).message).toBe('m'.repeat(500));
    const noStack = new Error('x');
    noStack.stack = undefined;
    expect(loggableError(noStack).stack).toBe('');
  });

  it('logs only the type of what is not an Error', () => {
    expect(loggableError('a message value')).toEqual({ type: 'string' });
    expect(loggableError({ message: 'secret' })).toEqual({ type: 'object' });
  });
});
