/**
 * One hostile HTTP server at a time on loopback, and the clients syncing with it, for the
 * suites that send a client oversized or endless answers (answer-bytes.test.ts,
 * bounded-answer.test.ts, answer-shrink.test.ts): a test sets `hostile.server` and pushes its
 * clients; `closeHostile`, in the suite's afterEach, closes them all and drops every
 * connection (a body still streaming would hold the server open).
 */
import type { Server } from 'node:http';
import type { SyncClient } from '../../index.ts';

export const hostile: { server: Server | null; readonly clients: SyncClient[] } = { server: null, clients: [] };

export async function closeHostile(): Promise<void> {
  for (const c of hostile.clients.splice(0)) await c.close();
  const s = hostile.server;
  hostile.server = null;
  s?.closeAllConnections();
  if (s) await new Promise((r) => s.close(r));
}
