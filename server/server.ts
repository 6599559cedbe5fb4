/**
 * A running server: settings in, store and secret opened, HTTP listening; and its orderly
 * shutdown (stop accepting, end event streams, finish requests in flight, close the store).
 * `main.ts` runs it for `npm run server`; tests start it in-process on port 0.
 */
import { ValidationError } from 'fieldsync';
import type { ServerStore } from 'fieldsync/server';
import { buildApp, type AppOptions, type FieldsyncApp } from './app.ts';
import { createAuthenticator } from './auth.ts';
import { loggableError } from './errors.ts';
import type { ServerConfig } from './config.ts';
import { createInProcessPokeBus, type PokeBus } from './poke-bus.ts';
import { bodyLimitWarning, STORE_INTERRUPT_GRACE_MS } from './limits.ts';
import { loadSecret } from './secret.ts';
import { openStore, type OpenedStore } from './stores/open-store.ts';
import type { NewerSchemaListener } from './stores/newer-schema.ts';
import { canInterrupt } from './stores/postgres-statements.ts';

export interface RunningServer {
  /** The base URL, such as `http://127.0.0.1:8787`. */
  readonly url: string;
  readonly port: number;
  readonly app: FieldsyncApp;
  readonly store: ServerStore;
  /** Graceful shutdown; safe to call more than once. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Log output; default: JSON lines on stdout at the configured level. */
  readonly log?: AppOptions['log'];
  /** A store to use instead of the one the settings name (the caller keeps ownership, and closes it). */
  readonly store?: ServerStore;
  /** A poke bus to use instead of an in-process one (the caller keeps ownership). */
  readonly pokeBus?: PokeBus;
  readonly now?: () => number;
  /** For tests: AppOptions' answerMinBytesPerSecond. */
  readonly answerMinBytesPerSecond?: number;
  /**
   * Told once, with the error, when the store meets a database that a newer server migrated
   * (stores/newer-schema.ts): from then on this server answers every sync 503 and /healthz 503
   * until it is stopped. `npm run server` exits 3 a grace later (FIELDSYNC_NEWER_SCHEMA_EXIT);
   * a server embedded here never exits on its own: this is how its embedder learns of it (to
   * close it, alert, or exit itself). Told by the stores that latch: the ones startServer
   * opens, and createPostgresServerStore's (a store given in `store` that has onNewerSchema).
   */
  readonly onNewerSchema?: NewerSchemaListener;
}

const invalid = (why: string): ValidationError => new ValidationError('invalid_argument', `startServer: ${why}`);

/** The options a caller can get wrong in ways that would otherwise show only much later. */
function checkStartOptions(options: StartOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  if (options.onNewerSchema !== undefined && typeof options.onNewerSchema !== 'function') {
    throw invalid(`onNewerSchema must be a function, got ${options.onNewerSchema === null ? 'null' : typeof options.onNewerSchema}`);
  }
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  checkStartOptions(options); // before anything is opened
  const secret = loadSecret(config.dataDir, config.secret);
  const owned = options.store === undefined;
  // Until the app's log exists, problems go to stderr (see logBusError below).
  let logPullError = (err: unknown): void => void process.stderr.write(`fieldsync: pull failed after a stored push: ${String(err)}\n`);
  let logDatabaseError = (err: unknown): void => void process.stderr.write(`fieldsync: a database connection failed: ${String(err)}\n`);
  let logCheckpointError = (err: unknown): void => void process.stderr.write(`fieldsync: ${String(err)}\n`);
  const opened = options.store === undefined
    ? await openStore(config, {
      onPullError: (err) => logPullError(err),
      onDatabaseError: (err) => logDatabaseError(err),
      onCheckpointError: (err) => logCheckpointError(err),
      onMigrationWait: (message) => void process.stderr.write(`fieldsync: ${message}\n`),
    })
    : undefined;
  const store = options.store ?? (opened as OpenedStore).store;
  // The latch tells the embedder (main.ts's exit among them) once; nothing polls it.
  const latching = (store as { onNewerSchema?: (listener: NewerSchemaListener) => () => void }).onNewerSchema;
  const unsubscribe = options.onNewerSchema !== undefined && typeof latching === 'function'
    ? latching.call(store, options.onNewerSchema)
    : () => undefined;
  const ownBus = options.pokeBus === undefined;
  // Problems of the poke bus (a lost LISTEN connection, say) go to the log once there is one.
  let logBusError = (err: unknown, what: string): void => void process.stderr.write(`fieldsync: ${what}: ${String(err)}\n`);
  let pokeBus: PokeBus;
  try {
    pokeBus = options.pokeBus ?? (opened?.openPokeBus ? await opened.openPokeBus((err, what) => logBusError(err, what)) : createInProcessPokeBus());
  } catch (err) {
    unsubscribe();
    if (owned) await store.close?.();
    throw err;
  }
  let app: FieldsyncApp;
  try {
    app = buildApp({
      store,
      auth: createAuthenticator(secret),
      pokeBus,
      limits: config,
      log: options.log ?? { level: config.logLevel },
      // SQLite works on the event loop: one large push at a time. PostgreSQL: one per connection.
      storeConcurrency: config.databaseUrl !== undefined ? config.databasePoolMax : 1,
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      ...(options.now ? { now: options.now } : {}),
      ...(options.answerMinBytesPerSecond !== undefined ? { answerMinBytesPerSecond: options.answerMinBytesPerSecond } : {}),
    });
    // Fastify logs a "listening" line per address; the entry point prints the one ready line
    // (`fieldsync server listening on URL`), so Fastify's are left out of the log.
    const level = app.fastify.log.level;
    const quieter = ['trace', 'debug', 'info'].includes(level);
    if (quieter) app.fastify.log.level = 'warn';
    try {
      await app.fastify.listen({ port: config.port, host: config.host });
    } finally {
      if (quieter) app.fastify.log.level = level;
    }
  } catch (err) {
    unsubscribe();
    if (ownBus) await pokeBus.close?.();
    if (owned) await store.close?.();
    throw err;
  }
  // Which store this process serves from: a setting that did not take (a variable misspelt, a
  // flag left out) otherwise showed nowhere, the server running on SQLite in ./.data unseen.
  if (opened !== undefined) app.fastify.log.info({ store: opened.description }, 'store opened');
  const limitWarning = bodyLimitWarning(config.bodyLimit);
  if (limitWarning !== null) app.fastify.log.warn(limitWarning);
  logBusError = (err, what) => app.fastify.log.warn({ err }, what);
  logPullError = (err) => app.fastify.log.error({ err: loggableError(err) }, 'pull failed after a stored push');
  logDatabaseError = (err) => app.fastify.log.warn({ err: loggableError(err) }, 'an idle database connection failed; the pool opens another when needed');
  logCheckpointError = (err) => app.fastify.log.warn({ err: loggableError(err) }, 'a checkpoint of the WAL failed in its own thread; the writer still checkpoints');
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    store,
    close() {
      closing ??= (async () => {
        // The requests in flight are answered: a statement still running after the grace is
        // cancelled (503 with Retry-After, rolled back), and the user's queued ones refused.
        const interrupt = owned && canInterrupt(store)
          ? setTimeout(() => void store.interrupt(), Math.min(STORE_INTERRUPT_GRACE_MS, config.shutdownTimeoutMs / 2))
          : null;
        try {
          await app.close();
        } finally {
          unsubscribe(); // a latch met while closing is no news for a server already stopping
          if (interrupt) clearTimeout(interrupt);
          // The bus first: PostgreSQL's sends its last pokes on the store's connections.
          if (ownBus) await pokeBus.close?.();
          if (owned) await store.close?.();
        }
      })();
      return closing;
    },
  };
}
