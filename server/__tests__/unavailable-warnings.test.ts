/**
 * The operator's warning while the database refuses (app.ts, errors.ts `unavailableWarning`):
 * one line per 10 s for each reason, each saying what the server saw. Until round 59 one line
 * per 10 s in all, and every reason but a full disk was "the database cannot be reached": a
 * PostgreSQL restart whose first refusal was a failed connection attempt showed no word of
 * the restart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemoryServerStore, type ServerStore } from 'fieldsync/server';
import { StoreClosingError } from '../stores/postgres-statements.ts';
import { DatabaseEndedError } from '../stores/postgres-transaction.ts';
import { msg, startTestServer, type TestServer } from './helpers/test-server.ts';

const withCode = (message: string, code: string, syscall?: string): Error => Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}) });

let next: Error | null = null;
const inner = createMemoryServerStore();
const store: ServerStore = {
  push(userId, messages) {
    if (next !== null) throw next;
    return inner.push(userId, messages);
  },
  pull: (userId, o) => inner.pull(userId, o),
  renewEpoch: (userId, current) => inner.renewEpoch(userId, current),
};
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ store });
});
afterAll(() => s.stop());

it('logs one warning per reason within 10 s, each saying what happened: the restart is not hidden behind a refused connection', async () => {
  const refusals: [Error, string][] = [
    [withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', 'connect'), 'the database cannot be reached; answering 503 until it can'],
    [withCode('terminating connection due to administrator command', '57P01'), 'PostgreSQL is shutting down or restarting (it ended our sessions: 57P01); answering 503 until it accepts connections again'],
    [new DatabaseEndedError('57P02', 'terminating connection because of crash of another server process'), 'PostgreSQL is restarting after one of its processes crashed (57P02); answering 503 until it accepts connections again'],
    [withCode('the database system is starting up', '57P03'), 'PostgreSQL is starting up or shutting down and accepts no connections yet (57P03); answering 503 until it does'],
    [new StoreClosingError(), 'this server is stopping: a request still waiting on the database is answered 503, for its client to send again to another process'],
    [withCode('could not extend file', '53100'), "the database's storage is full; answering 503 until there is room"],
  ];
  // Each reason twice: the second within 10 s of the first is not logged again.
  for (const [err] of [...refusals, ...refusals]) {
    next = err;
    const r = await s.sync('u', { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'v')] });
    expect(r.status).toBe(503);
  }
  next = null;
  const warned = s.logs.filter((l) => l.level === 40).map((l) => [l.msg, (l.err as { code?: unknown }).code]);
  expect(warned).toEqual(refusals.map(([err, line]) => [line, (err as { code?: unknown }).code]));
});
