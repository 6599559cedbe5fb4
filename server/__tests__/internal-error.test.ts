import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryServerStore, type ServerStore } from 'fieldsync/server';
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
