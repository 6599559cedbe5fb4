/**
 * One life of a device that is killed: run by killed-client.test.ts and two-processes.test.ts
 * (through test-support/crash-lives.ts) as `node test-support/crash-client.ts '<json CrashLife>'`.
 * It opens the SQLite client store on the given file through the public API, writes and syncs
 * in a seeded loop against a real server, and reports on stdout, one line each:
 *
 * - `ready` (`ready auto` when it syncs after writes by itself too), once the client is open
 *   (a gated life: once its modules are loaded, before it waits for `go` to open the file);
 * - `I <json Intent>` before a write is called (it may or may not survive, but never half);
 * - `W <json Message[]>` after the write returned (it must reach the server exactly once);
 * - `P <json hlc[]>` when the server has answered a push of these messages;
 * - `E <code>: <message>` when a sync failed (its own, or an automatic one: the status says);
 * - `done` after a life that was not killed synced everything it holds;
 * - `H` each second, a heartbeat (crash-lives.ts leaves it out of what the life said).
 *
 * Lines are written with fs.writeSync: a line printed is in the pipe before the next
 * statement runs, so a SIGKILL never loses a `W` line of a write that returned.
 *
 * `kill` makes the process SIGKILL itself at an exact point the parent's timer could only hit
 * by luck: right after the n-th write statement inside a transaction (mid-write, or mid-commit
 * of a sync's answer), before the n-th request that pushes leaves, or when the answer to it
 * has arrived (the server committed the push; the client has not committed the answer).
 */
import { writeSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { createHttpRemote, createSyncClient, defineSchema, type Remote } from 'fieldsync';
import { createSqliteStore, openDatabase } from 'fieldsync/sqlite';
import { seededRandom } from './seeded-random.ts';

export const crashSchema = defineSchema({ version: 1, tables: { todos: { title: 'string', note: 'string', rank: 'number' } } });

export type KillPoint = 'statement' | 'send' | 'answer' | 'timer' | 'none';

export interface CrashLife {
  readonly file: string;
  readonly url: string;
  readonly token: string;
  readonly seed: number;
  /** Which life of the device this is: write ids are `life * 1000 + k`, unique over the run. */
  readonly life: number;
  readonly kill: KillPoint;
  /** For statement, send and answer: which one (1-based) kills. */
  readonly n: number;
  /**
   * Says `ready` once its modules are loaded, then waits for a `go` line on stdin before it
   * opens the file and its client: two lives on one file (two-processes.test.ts) then open,
   * write and sync at the same time, not one while the other still starts.
   */
  readonly gate?: boolean;
}

/** A write as called: `fields` holds its cells (null for a delete's). */
export interface Intent {
  readonly id: number;
  readonly row: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** The cells of write `id`: each value names its write, so a half-written one shows. */
export function fieldsOf(id: number, kind: number): Record<string, string | number> {
  if (kind === 0) return { title: `t${id}`, note: `n${id}`, rank: id };
  return kind === 1 ? { title: `t${id}` } : { note: `n${id}` };
}

const say = (line: string): void => void writeSync(1, `${line}\n`);
/** Says where it dies (`K …`, for the parent's log), then dies. */
const die = (where: string): never => {
  say(`K ${where}`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

async function live(o: CrashLife): Promise<void> {
  const random = seededRandom(o.seed * 7919 + o.life);
  // Half the lives sync as an app does besides: after each write (debounced) and on retries.
  const auto = random() < 0.5;
  if (o.gate) {
    // Both lives then open the file and their clients at the same moment (an app and its
    // syncer started together): on a new file, both switch it to WAL at once, and neither has
    // committed its clientId when the other reads it. Before the file is opened (round 66):
    // a gated life loaded while the previous round's lives still ran has not touched the file.
    say(`ready${auto ? ' auto' : ''}`);
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.destroy();
  }
  const db = openDatabase(o.file);
  if (o.kill === 'statement') {
    // Every write statement, on the prototype the store's statements share.
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: (...a: unknown[]) => unknown };
    const run = proto.run;
    let count = 0;
    proto.run = function (this: unknown, ...args: unknown[]) {
      const result = run.apply(this, args);
      if (++count === o.n) die(`after write statement ${o.n}${db.inTransaction ? ', in a transaction' : ''}`);
      return result;
    };
  }
  const http = createHttpRemote({ url: o.url, token: o.token });
  let sends = 0;
  let answers = 0;
  const remote: Remote = {
    async sync(request, options) {
      const pushing = request.messages?.length ?? 0;
      if (o.kill === 'send' && pushing > 0 && ++sends === o.n) die(`before push ${o.n} (${pushing} messages) left`);
      const response = await http.sync(request, options);
      if (pushing > 0) say(`P ${JSON.stringify(request.messages?.map((m) => m.hlc))}`);
      if (o.kill === 'answer' && pushing > 0 && ++answers === o.n) die(`at the answer to push ${o.n} (${pushing} messages stored)`);
      return response;
    },
  };
  const client = await createSyncClient({ schema: crashSchema, store: createSqliteStore(db), remote, autoSync: auto, debounceMs: 1, retry: { initialMs: 5, maxMs: 50 } });
  let failed = '';
  const report = (error: { code?: unknown; message: string }): void => {
    const line = `E ${String(error.code)}: ${error.message}`;
    if (line !== failed) say((failed = line));
  };
  client.on('status', (s) => void (s.error && report(s.error)));
  if (!o.gate) say(`ready${auto ? ' auto' : ''}`);
  let syncing: Promise<unknown> = Promise.resolve();
  for (let k = 0; k < 40; k++) {
    const roll = random();
    if (roll < 0.2) {
      // Not awaited: the next writes run while this sync's request is out.
      await syncing;
      syncing = client.sync().catch(report);
      continue;
    }
    const id = o.life * 1000 + k;
    const row = `r${Math.floor(random() * 4)}`;
    if (roll < 0.3) {
      say(`I ${JSON.stringify({ id, row, fields: { _deleted: true } })}`);
      say(`W ${JSON.stringify([await client.delete('todos', row)])}`);
      continue;
    }
    const fields = fieldsOf(id, roll < 0.7 ? 0 : roll < 0.85 ? 1 : 2);
    say(`I ${JSON.stringify({ id, row, fields })}`);
    say(`W ${JSON.stringify(await client.update('todos', row, fields))}`);
    if (random() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(random() * 4)));
  }
  await syncing;
  if (o.kill !== 'none') {
    // Alive past its kill point: the parent sees a clean exit, not a SIGKILL.
    await client.close();
    return;
  }
  for (let i = 0; i < 5 && client.status.pending > 0; i++) await client.sync();
  await client.sync();
  await client.close();
  db.close();
  say('done');
}

if (import.meta.main) {
  // Node writes its compile cache (NODE_COMPILE_CACHE, set by crash-lives.ts) at a clean exit,
  // which a life killed with SIGKILL never reaches: written now, the modules just loaded are in it.
  flushCompileCache();
  // A heartbeat each second of its loop (crash-lives.ts): the parent tells a hung life, whose
  // beats go on with nothing else said, from a slow one. Unref'd: it keeps no life alive.
  setInterval(() => say('H'), 1000).unref();
  await live(JSON.parse(process.argv[2] as string) as CrashLife);
}
