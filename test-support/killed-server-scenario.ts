/**
 * The killed-server scenario, on any store (killed-server.test.ts: one process on a SQLite data
 * dir; killed-server-postgres.test.ts: two processes on one PostgreSQL database). Three library
 * clients in this process write and sync on, retrying what failed; each client sends its
 * requests to the server processes in turn, as through a load balancer. A process is killed
 * with SIGKILL a seeded few ms after a client's push to it left (before the server read it,
 * while it commits, or between its commit and its answer), and started again: on a port of
 * its own (the OS picks it; the clients follow, as a load balancer would), since the port of
 * the killed process may be taken by anyone meanwhile.
 *
 * At each kill the clients pause until the database was read directly: it must hold every
 * push answered 200 (checked at the end alone, a loss would be hidden, since clients push
 * everything again when the log lost its end: docs/protocol.md, "Epochs"), and what it holds
 * of the pushes left unanswered was committed by the killed process, not pushed again. After
 * a few kills and a last sync of every client (run by `killedServerScenario`):
 *
 * - every push answered 200, and every write any client made, is in the database;
 * - no message is stored twice (by hlc, or a write's value under two hlcs);
 * - every client shows, per cell, the value of the greatest-hlc message the database holds;
 * - every client pulled every message of the database but its own, each once, in increasing
 *   id order: a cursor never passed a message that became visible later, nor saw one that
 *   was then lost, and an id was never seen with two messages;
 * - the log kept its epoch: no client ever showed a cursor past its end.
 *
 * The servers keep every message (compaction off), so a lost one cannot hide behind a winner.
 */
import { expect } from 'vitest';
import { createHttpRemote, createMemoryStore, createSyncClient, defineSchema, type Message, type Remote, type SyncClient } from 'fieldsync';
import type { ServerMessage } from 'fieldsync/server';
import type { ChildServer } from './child-server.ts';
import { duplicates, missing, modelText, shownText } from './crash-checks.ts';
import { seededRandom } from './seeded-random.ts';
import { until } from './until.ts';

export const KILLED_SERVER_SECRET = 'killed-server-test-secret-0123456789abcdef';
const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', rank: 'number' } } });
const CLIENTS = 3;
const KILLS = 3;
/**
 * Kills after KILLS, until one caught a push committed and not yet answered (the one a
 * server without its dedupe stores twice, when its client pushes it again): the delays are
 * seeded, but not how far the server got in them.
 */
const MORE_KILLS = 3;
/**
 * The kill after KILLS comes the moment the armed push's answer is back, before the client
 * sees it: a server that answers before its commit is on disk loses that push here. The blind
 * delays seldom land in that window, since a push's answer takes longer than most of them
 * (round 52's plant, the SQLite store answering while its COMMIT waited for a timer, passed
 * every run of the shared scenario without this kill).
 */
const AT_ANSWER = -2;
/** A kill aimed at the push's commit (see KilledServerSetup.holds). */
const AT_COMMIT = -1;

export interface KilledServerSetup {
  readonly seed: number;
  /** A token of the scenario's user (`sub`), signed with KILLED_SERVER_SECRET. */
  readonly token: string;
  /** How many server processes serve the clients. */
  readonly processes: number;
  /** Starts process `slot`: at the beginning, and again after each of its kills. */
  start(slot: number): Promise<ChildServer>;
  /** The hlcs the database holds now, read directly (not through a server). */
  storedHlcs(): Promise<ReadonlySet<string>>;
  /** Every message the database holds at the end, with its id, in id order; `live` are the running processes. */
  held(live: readonly ChildServer[]): Promise<ServerMessage[]>;
  /** A kill comes 0 to maxDelayMs - 1 ms after the push left. */
  readonly maxDelayMs: number;
  /**
   * Whether the database holds the message `hlc` now, read directly. Given, the extra kills
   * (MORE_KILLS) are aimed: the process dies as soon as the database holds the push, between
   * its commit and its answer, which a blind delay rarely hits where a push makes several
   * round trips to the database after it left (PostgreSQL).
   */
  holds?(hlc: string): Promise<boolean>;
}

export interface KilledServerRun {
  /** The seed and what each kill did, for failure messages. */
  readonly context: string;
  readonly held: readonly ServerMessage[];
}

type SyncAnswer = Awaited<ReturnType<Remote['sync']>>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pageMessages = (a: SyncAnswer): Message[] => [...a.messages, ...(a.next ?? []).flatMap((p) => p.messages)];

/** Runs one seed; returns what the database held at the end, after the shared checks passed. */
export async function killedServerScenario(setup: KilledServerSetup): Promise<KilledServerRun> {
  const { seed, token } = setup;
  const random = seededRandom(seed);
  const servers: ChildServer[] = [];
  const remotes = new Map<string, Remote>(); // by URL: one per life of a process
  const log: string[] = [];

  // What the servers answered 200, and the pushes left unanswered because one died: those
  // that were out to it when it was killed.
  const acknowledged: Message[] = [];
  let pushes = 0;
  let armed: { slot: number; delayMs: number; fired: boolean } | null = null;
  const unanswered: (readonly Message[])[] = [];
  const out = new Set<object>();
  let paused: Promise<void> = Promise.resolve();
  let resume = (): void => {};
  const epochs = new Set<string>();
  const pulled = Array.from({ length: CLIENTS }, () => [] as string[]); // hlcs, in the order each client got them
  const own = Array.from({ length: CLIENTS }, () => new Set<string>());

  const remoteOf = (c: number): Remote => {
    let turn = c;
    return {
      async sync(request, options) {
        await paused; // from a kill until the database was read
        const slot = turn++ % servers.length;
        const server = servers[slot] as ChildServer;
        let inner = remotes.get(server.url);
        if (!inner) remotes.set(server.url, (inner = createHttpRemote({ url: server.url, token })));
        const sent = request.messages ?? [];
        const kill = armed;
        const call = { answered: false };
        let dieAtAnswer: (() => void) | null = null;
        if (sent.length > 0 && kill !== null && !kill.fired && kill.slot === slot) {
          kill.fired = true; // this push is out: its server dies a few ms later, or once it is stored
          const die = (): void => {
            paused = new Promise((r) => (resume = r));
            server.child.kill('SIGKILL');
          };
          const last = (sent[sent.length - 1] as Message).hlc;
          if (kill.delayMs >= 0) setTimeout(die, kill.delayMs);
          else if (kill.delayMs === AT_ANSWER) dieAtAnswer = die;
          else void aim(() => setup.holds?.(last) ?? Promise.resolve(true), () => call.answered).then(die);
        }
        out.add(call);
        try {
          const answer = await inner.sync(request, options);
          for (const m of sent) own[c]?.add(m.hlc);
          pulled[c]?.push(...pageMessages(answer).map((m) => m.hlc));
          if (answer.epoch) epochs.add(answer.epoch);
          if (sent.length > 0) {
            acknowledged.push(...sent);
            pushes++;
          }
          return answer;
        } catch (err) {
          // Whatever was out to the process when it died, sent before or after the kill was armed.
          if (armed?.fired === true && armed.slot === slot && sent.length > 0) unanswered.push(sent);
          throw err;
        } finally {
          dieAtAnswer?.(); // before the client hears of the answer: whatever it said must be stored
          call.answered = true;
          out.delete(call);
        }
      },
    };
  };

  const stores = Array.from({ length: CLIENTS }, () => createMemoryStore());
  const clients: SyncClient[] = [];
  const written: Message[] = [];
  let writing = true;
  let loops: Promise<void>[] = [];
  try {
    for (let slot = 0; slot < setup.processes; slot++) servers.push(await setup.start(slot));
    for (const [c, store] of stores.entries()) clients.push(await createSyncClient({ schema, store, remote: remoteOf(c), autoSync: false }));
    let id = 0;
    // Each client writes a few rows, then syncs. After a failed sync it only tries again, 20 ms
    // later: writes made while a server is down would pile up into one large last push.
    loops = clients.map(async (client, c) => {
      const mine = seededRandom(seed * 31 + c);
      let up = true;
      while (writing) {
        for (let k = up ? 1 + Math.floor(mine() * 3) : 0; k > 0; k--) {
          const n = ++id;
          for (const m of await client.update('todos', `r${Math.floor(mine() * 5)}`, { title: `c${c}-${n}`, rank: n })) {
            written.push(m);
            own[c]?.add(m.hlc);
          }
        }
        up = await client.sync().then(() => true, () => sleep(20).then(() => false));
      }
    });

    let committedUnanswered = 0;
    for (let kill = 1; kill <= KILLS + 1 || (committedUnanswered === 0 && kill <= KILLS + 1 + MORE_KILLS); kill++) {
      const after = pushes + 2 + Math.floor(random() * 6);
      await until(() => pushes >= after, `seed ${seed}: ${after} pushes answered`, 20_000);
      // With one process the draws are the delays alone, as before there were several.
      const slot = setup.processes > 1 ? Math.floor(random() * setup.processes) : 0;
      const delayMs = Math.floor(random() * setup.maxDelayMs);
      armed = { slot, delayMs: kill === KILLS + 1 ? AT_ANSWER : kill > KILLS && setup.holds ? AT_COMMIT : delayMs, fired: false };
      const exited = await (servers[slot] as ChildServer).exited;
      await until(() => out.size === 0, 'the requests out at the kill end', 10_000);
      // Read while every client waits: no push unanswered at the kill has been sent again.
      const stored = await setup.storedHlcs();
      const failed = unanswered.splice(0);
      const committed = failed.filter((push) => push.every((m) => stored.has(m.hlc))).length;
      committedUnanswered += committed;
      const when = armed.delayMs === AT_ANSWER ? 'the moment a push was answered' : armed.delayMs === AT_COMMIT ? 'once the database held a push' : `${armed.delayMs} ms after a push left`;
      log.push(`kill ${kill}: process ${slot}, ${when} → ${exited.signal}; ${failed.length} pushes unanswered, ${committed} of them committed`);
      expect(acknowledged.filter((m) => !stored.has(m.hlc)), `answered 200, then lost at the kill: seed ${seed}:\n${log.join('\n')}`).toEqual([]);
      armed = null;
      resume();
      servers[slot] = await setup.start(slot);
    }
    writing = false;
    await Promise.all(loops);
    // Every client pushes what is left and pulls everyone's; twice, so each sees the others' last.
    for (let round = 0; round < 2; round++) for (const client of clients) await client.sync();

    const context = `seed ${seed} (FIELDSYNC_SEED=${seed}):\n${log.join('\n')}`;
    if (process.env.FIELDSYNC_TEST_VERBOSE) process.stderr.write(`${context}\n`);
    const held = await setup.held(servers);
    expect(clients.map((c) => c.status.pending), context).toEqual(clients.map(() => 0));
    expect(duplicates(held), `stored twice: ${context}`).toEqual([]);
    expect(missing(acknowledged, held), `answered 200, then lost: ${context}`).toEqual([]);
    expect(missing(written, held), `written, never stored: ${context}`).toEqual([]);
    const model = modelText(held);
    for (const [c, store] of stores.entries()) expect(shownText(store.rows('todos', { includeDeleted: true }), ['title', 'rank']), `client ${c}: ${context}`).toBe(model);
    for (let c = 0; c < CLIENTS; c++) expect(pullErrors(held, pulled[c] ?? [], own[c] ?? new Set()), `client ${c}'s pulls: ${context}`).toEqual([]);
    expect(epochs.size, `the log's epoch was renewed (a cursor past its end): ${context}`).toBeLessThanOrEqual(1);
    return { context, held };
  } finally {
    writing = false;
    resume();
    await Promise.all(loops);
    for (const client of clients) await client.close();
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGKILL');
        await s.exited;
      }
    }
  }
}

/** Resolves once `stored()` holds or `over()` does (the push was answered, or failed), polling the database. */
async function aim(stored: () => Promise<boolean>, over: () => boolean): Promise<void> {
  for (let polls = 0; polls < 5000 && !over(); polls++) if (await stored()) return;
}

/**
 * What is wrong with one client's pulls (`pulled`: the hlcs in the order it got them) against
 * the database's messages: one it never got (not its own: its cursor passed it), one it got
 * that the database does not hold, or got twice, or after a greater id.
 */
function pullErrors(held: readonly ServerMessage[], pulled: readonly string[], own: ReadonlySet<string>): string[] {
  const ids = new Map(held.map((m) => [m.hlc, m.id]));
  const got = new Set(pulled);
  const errors = held.filter((m) => !got.has(m.hlc) && !own.has(m.hlc)).map((m) => `never pulled: id ${m.id} ${m.hlc}`);
  let last = 0;
  for (const hlc of pulled) {
    const id = ids.get(hlc);
    if (id === undefined) errors.push(`pulled, not in the database: ${hlc}`);
    else if (id <= last) errors.push(`pulled id ${id} after id ${last}`);
    else last = id;
  }
  return errors;
}
