/**
 * `npm run server`: reads the settings, opens the store, listens, and prints one line with
 * its URL when ready. SIGTERM and SIGINT shut it down gracefully; a second one forces it.
 * A bad setting prints one clear line and exits with code 2, never a stack trace.
 */
import { ConfigError, loadConfig, usage, type ServerConfig } from './config.ts';
import { startServer, type RunningServer } from './server.ts';
import { describePostgres } from './stores/open-store.ts';
import { NEWER_SCHEMA_EXIT_CODE, newerSchemaExit } from './stores/newer-schema-exit.ts';

/** How long after the shutdown timeout the store may take to close (its last writes, PostgreSQL's goodbyes). */
const STORE_CLOSE_GRACE_MS = 5000;

function fail(message: string, code: number): never {
  process.stderr.write(`fieldsync: ${message}\n`);
  process.exit(code);
}

/** One line about a failure to start: the cause, without a stack. */
function describeStartError(err: unknown, config: ServerConfig): string {
  const e = err as { code?: string; message?: string; syscall?: string };
  // Only errors of listen() are about the port or the address; the database can fail with
  // the same codes (EACCES on its file, say), and must not be reported as a port problem.
  // With a database URL, what fails before listening is the database (down, wrong host, refused login).
  if (e.syscall !== 'listen' && config.databaseUrl !== undefined) return `cannot use the database (${describePostgres(config.databaseUrl)}): ${e.message ?? String(err)}`;
  if (e.syscall !== 'listen') return `cannot start: ${e.message ?? String(err)}`;
  if (e.code === 'EADDRINUSE') return `port ${config.port} on ${config.host} is already in use (choose another with --port or PORT; 0 takes any free port)`;
  if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${config.host}: no such address on this machine`;
  if (e.code === 'EACCES' || e.code === 'EPERM') return `permission denied: ${e.message ?? ''}`;
  return `cannot start: ${e.message ?? String(err)}`;
}

let config: ServerConfig | null;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}
if (config === null) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}

// Another process migrated the database past this code: after the grace (answering 503, out of
// rotation), stop as on SIGTERM and exit with a code of its own (stores/newer-schema-exit.ts).
// The grace counts from the moment the store latched: the store tells it, nothing polls.
const exitAfterMs = config.newerSchemaExitMs;
const exit = newerSchemaExit(exitAfterMs, (err) => {
  if (stopping) return; // a SIGTERM's stop already under way: a second call would force exit 1
  process.stderr.write(`fieldsync: exiting ${NEWER_SCHEMA_EXIT_CODE} after ${exitAfterMs / 1000} s of answering 503: ${err.message}\n`);
  shutdown('newer schema', NEWER_SCHEMA_EXIT_CODE);
});
let server: RunningServer;
try {
  server = await startServer(config, { onNewerSchema: exit.latched });
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  fail(describeStartError(err, config), 1);
}
let stopping = false;
/** `exitCode`: what a stop that went well exits with (0 for a signal's; the newer schema's own below). */
const shutdown = (signal: string, exitCode = 0): void => {
  if (stopping) {
    process.stderr.write(`fieldsync: ${signal} again, exiting now\n`);
    process.exit(1);
  }
  stopping = true;
  exit.cancel();
  server.app.fastify.log.info({ signal }, 'shutting down');
  // Closing the database waits for it: a PostgreSQL frozen or behind a network black hole
  // (no error, no FIN) held the process after SIGTERM for as long as it stayed so (ten minutes
  // seen, until it came back). Requests get the shutdown timeout; the store a grace after it.
  const bound = (config as ServerConfig).shutdownTimeoutMs + STORE_CLOSE_GRACE_MS;
  setTimeout(() => {
    process.stderr.write(`fieldsync: the database did not close within ${bound / 1000} s of ${signal}; exiting without it\n`);
    process.exit(1);
  }, bound).unref();
  server.close().then(
    () => {
      server.app.fastify.log.info('stopped');
      process.exitCode = exitCode;
    },
    (err: unknown) => {
      process.stderr.write(`fieldsync: shutdown failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// Started by a launcher with an IPC channel (`npm run start:web`): when the launcher is gone,
// however it went (killed, crashed), the channel closes and the server stops as on SIGTERM,
// rather than holding its port and data folder for nobody. Run on its own, it has no channel.
process.on('disconnect', () => shutdown('the launcher is gone'));
process.channel?.unref();
// Ready only now: a SIGTERM sent as soon as this line is read finds its handler (written before
// the handlers, it could arrive first, and the default action killed the server mid-start).
process.stdout.write(`fieldsync server listening on ${server.url}\n`);
