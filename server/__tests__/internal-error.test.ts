import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryServerStore, type ServerStore } from 'fieldsync/server';
import { isDatabaseUnavailable } from '../errors.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

describe('a failing store', () => {
  let s: TestServer;
  let failing = true;
  const inner = createMemoryServerStore();
  const store: ServerStore = {
    push(userId, messages) {
      if (failing && userId === 'unlucky') {
        const err = new Error('SQLITE_IOERR: disk I/O error at /var/lib/secret/path') as Error & { code: string };
        err.code = 'SQLITE_IOERR';
        throw err;
      }
      return inner.push(userId, messages);
    },
    pull: (userId, o) => inner.pull(userId, o),
    renewEpoch: (userId, current) => inner.renewEpoch(userId, current),
  };
  beforeAll(async () => {
    s = await startTestServer({ store });
  });
  afterAll(() => s.stop());

  it('answers 500 internal without details, logs the error server-side, and keeps serving others', async () => {
    const r = await s.sync('unlucky', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'value-never-logged')] });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { code: 'internal', message: 'internal server error' } });
    const logged = s.logs.find((l) => l.msg === 'internal error') as { err: { code: string; message: string; stack: string } } | undefined;
    expect(logged?.err.code).toBe('SQLITE_IOERR');
    expect(logged?.err.stack).toContain('internal-error.test.ts');
    expect(s.logText()).not.toContain('value-never-logged');
    expect((await s.sync('lucky', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'ok')] })).status).toBe(200);
    failing = false;
    expect((await s.sync('unlucky', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'ok')] })).status).toBe(200);
  });
});

describe('what counts as a database that cannot be reached (503, not 500)', () => {
  const withCode = (message: string, code: string, syscall?: string): Error => Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}) });
  it.each([
    ['PostgreSQL shutting down (57P01)', withCode('terminating connection due to administrator command', '57P01'), true],
    ['a connection failure (08006)', withCode('connection failure', '08006'), true],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300'), true],
    ['a statement the database cancelled at its statement_timeout (57014, round 51)', withCode('canceling statement due to statement timeout', '57014'), true],
    ['a refused connect', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', 'connect'), true],
    ['a reset database socket', withCode('read ECONNRESET', 'ECONNRESET', 'read'), true],
    ['pg: a connection that ended', new Error('Connection terminated unexpectedly'), true],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect'), true],
    ['a request whose client went away (no system call)', withCode('aborted', 'ECONNRESET'), false],
    ['a unique violation (23505)', withCode('duplicate key value', '23505'), false],
    ['a disk error of SQLite', withCode('disk I/O error', 'SQLITE_IOERR'), false],
    ['not an error', 'Connection terminated', false],
  ])('%s: %s', (_name, err, expected) => {
    expect(isDatabaseUnavailable(err)).toBe(expected);
  });
});
