/**
 * Several real server processes (`node server/main.ts`) on one PostgreSQL database, as an
 * operator runs them behind a load balancer:
 *
 * - torture: 20 clients of one user push concurrently, round-robin through three
 *   processes, while two readers page with limit 7 through different processes; every
 *   reader sees every surviving message exactly once, in increasing id order, and the
 *   final state equals the reference model (per cell, the greatest hlc);
 * - a push to one process pokes a client connected to another (raw SSE, and real sync
 *   clients that sync on the poke);
 * - SIGKILL of a process in the middle of pushes: acknowledged messages are never lost,
 *   unacknowledged ones are pushed again to another process and stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellKey, createHttpRemote, createMemoryStore, createSyncClient, defineSchema, pokeStream, type Message, type Remote } from 'fieldsync';
import { formatHlc, type ServerMessage } from 'fieldsync/server';
import { createAuthenticator } from '../auth.ts';
import { runScript, spawnServer, stopServers, type ChildServer } from '../../test-support/child-server.ts';
import { openEvents } from './helpers/event-reader.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SECRET = 'multi-process-test-secret-0123456789abcdef';
const auth = createAuthenticator(SECRET);

let db: TestDatabase;
let dataDir: { path: string; remove(): void };
const servers: ChildServer[] = [];
let urls: string[] = [];

const env = (): Record<string, string> => ({
  FIELDSYNC_DATABASE_URL: db.url,
  FIELDSYNC_SECRET: SECRET,
  FIELDSYNC_DATA_DIR: dataDir.path,
  FIELDSYNC_DATABASE_POOL_MAX: '6',
  FIELDSYNC_MAX_INFLIGHT_PER_USER: '64',
  FIELDSYNC_HEARTBEAT: '1s',
});

async function start(): Promise<ChildServer> {
  const s = await spawnServer(env());
  servers.push(s);
  return s;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = tempDir();
  // Three processes start at once on an empty database: one of them creates the schema.
  urls = (await Promise.all([start(), start(), start()])).map((s) => s.url);
}, 60_000);

afterAll(async () => {
  await stopServers(servers);
  await db?.drop();
  dataDir?.remove();
});

interface SyncAnswer {
  status: number;
  body: { accepted?: number; cursor: number; more: boolean; messages: ServerMessage[]; code?: string };
}

async function sync(url: string, token: string, body: unknown): Promise<SyncAnswer> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as SyncAnswer['body'] };
}

/** A push that must be acknowledged; a 429 (load shedding) is retried, as clients do. */
async function push(url: string, token: string, clientId: string, messages: Message[]): Promise<SyncAnswer['body']> {
  for (;;) {
    const r = await sync(url, token, { clientId, cursor: 0, limit: 1, messages });
    if (r.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (r.status !== 200) throw new Error(`push answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

const BASE = Date.now() - 60_000; // within the server's drift limit
const msg = (clientId: string, millis: number, counter: number, row: string, column: string, value: Message['value']): Message => ({
  hlc: formatHlc({ millis: BASE + millis, counter, clientId }), table: 'todos', row, column, value,
});

/** Per cell, the message with the greatest hlc. */
function model(messages: readonly Message[]): Map<string, Message> {
  const out = new Map<string, Message>();
  for (const m of messages) {
    const k = cellKey(m.table, m.row, m.column);
    const cur = out.get(k);
    if (!cur || cur.hlc < m.hlc) out.set(k, m);
  }
  return out;
}

async function pullAll(url: string, token: string): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  for (let cursor = 0; ;) {
    const r = await sync(url, token, { clientId: 'observer', cursor, limit: 5000 });
    expect(r.status).toBe(200);
    out.push(...r.body.messages);
    cursor = r.body.cursor;
    if (!r.body.more) return out;
  }
}

describe('several server processes on one PostgreSQL database', () => {
  it('torture: 20 clients of one user push through three processes while two readers page with limit 7', async () => {
    const token = await auth.sign('torture', 3600);
    const WRITERS = 20;
    const PUSHES = 12;
    const pushed: Message[] = [];
    let writing = true;

    const writer = async (w: number): Promise<void> => {
      const clientId = `W${w}`;
      for (let k = 0; k < PUSHES; k++) {
        const size = 1 + ((w * 5 + k * 7) % 12);
        // 40 rows x 2 columns shared by every writer: cells are overwritten all the time.
        const batch = Array.from({ length: size }, (_, j) =>
          msg(clientId, k * 50 + j, w, `r${(w * 3 + j * 7 + k) % 40}`, j % 2 ? 'done' : 'title', j % 2 ? (w + k) % 2 === 0 : `${clientId} ${k}.${j}`));
        pushed.push(...batch);
        const url = urls[(w + k) % urls.length] as string; // round-robin through the processes
        const answer = await push(url, token, clientId, batch);
        expect(answer.accepted).toBe(size);
      }
    };

    const reader = async (name: string, urlFor: (request: number) => string): Promise<ServerMessage[]> => {
      const seen: ServerMessage[] = [];
      let cursor = 0;
      for (let request = 0; ; request++) {
        const quiet = !writing; // decided before the request: the last one starts after every write
        const r = await sync(urlFor(request), token, { clientId: name, cursor, limit: 7 });
        expect(r.status).toBe(200);
        expect(r.body.messages.length).toBeLessThanOrEqual(7);
        for (const m of r.body.messages) {
          const last = seen[seen.length - 1];
          if (last && m.id <= last.id) throw new Error(`${name}: id ${m.id} after ${last.id}`);
          if (m.id <= cursor) throw new Error(`${name}: id ${m.id} at or behind its cursor ${cursor}`);
          seen.push(m);
        }
        expect(r.body.cursor).toBeGreaterThanOrEqual(cursor);
        cursor = r.body.cursor;
        if (quiet && !r.body.more) return seen;
      }
    };

    // Reader 1 always asks process 0; reader 2 asks processes 1, 2, 0, 1, ... in turn.
    const readers = [reader('R1', () => urls[0] as string), reader('R2', (i) => urls[(i + 1) % urls.length] as string)];
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    writing = false;
    const seenBy = await Promise.all(readers);

    const winners = model(pushed);
    const held = await pullAll(urls[2] as string, token);
    // Compaction (on by default): the server holds exactly the winner of every cell, once.
    expect(held.map((m) => m.hlc).sort()).toEqual([...winners.values()].map((m) => m.hlc).sort());
    for (const m of held) expect(m.value).toEqual(winners.get(cellKey(m.table, m.row, m.column))?.value);

    for (const seen of seenBy) {
      const hlcs = seen.map((m) => m.hlc);
      expect(new Set(hlcs).size).toBe(hlcs.length); // exactly once
      const seenSet = new Set(hlcs);
      expect([...winners.values()].filter((m) => !seenSet.has(m.hlc))).toEqual([]); // every survivor
      // The reader's replica (greatest hlc per cell, as a client applies them) equals the model.
      const replica = model(seen);
      expect(replica.size).toBe(winners.size);
      for (const [k, m] of winners) expect(replica.get(k)?.hlc, k).toBe(m.hlc);
    }
  }, 120_000);

  it('a push to one process pokes a client connected to another, and not the pusher', async () => {
    const token = await auth.sign('poked', 3600);
    const listener = await openEvents(urls[1] as string, token, 'listener');
    const pusher = await openEvents(urls[2] as string, token, 'pusher');
    try {
      expect([listener.status, pusher.status]).toEqual([200, 200]);
      await push(urls[0] as string, token, 'pusher', [msg('pusher', 1, 0, 'p', 'title', 'from A')]);
      expect(await listener.waitForPoke(1, 10_000)).toEqual([1]);
      // A push of a third client pokes the pusher's stream; its own push (cursor 1) did not.
      await push(urls[0] as string, token, 'other', [msg('other', 2, 0, 'q', 'title', 'x')]);
      expect(await pusher.waitForPoke(1, 10_000)).toEqual([2]);
      expect(await listener.waitForPoke(2, 10_000)).toEqual([1, 2]);
    } finally {
      listener.close();
      pusher.close();
    }
  });

  it('real sync clients on different processes: a write on one reaches the other through its poke', async () => {
    const token = await auth.sign('realtime', 3600);
    const schema = defineSchema({ version: 1, tables: { todos: { title: 'string', done: 'boolean' } } });
    let streamOpen!: () => void;
    const opened = new Promise<void>((resolve) => {
      streamOpen = resolve;
    });
    // The watcher's remote tells when its poke stream is connected (to process 1).
    const http = createHttpRemote({ url: urls[1] as string, token, pokes: pokeStream() });
    const watcherRemote: Remote = {
      sync: (request, options) => http.sync(request, options),
      subscribe: (clientId, listener) => http.subscribe!(clientId, {
        ...listener,
        onOpen() {
          streamOpen();
          listener.onOpen?.();
        },
      }),
    };
    const watcherStore = createMemoryStore();
    // No timer: only the first sync, the stream's opening and pokes make a client sync.
    const [writer, watcher] = await Promise.all([
      createSyncClient({ schema, store: createMemoryStore(), remote: createHttpRemote({ url: urls[0] as string, token }), intervalMs: 3_600_000 }),
      createSyncClient({ schema, store: watcherStore, remote: watcherRemote, intervalMs: 3_600_000 }),
    ]);
    try {
      await opened;
      await watcher.sync(); // settled: from here on, only a poke can make it sync again
      const arrived = new Promise<void>((resolve) => {
        watcher.on('change', ({ source, changes }) => {
          if (source === 'remote' && changes.todos?.includes('t1')) resolve();
        });
      });
      await writer.update('todos', 't1', { title: 'written through process 0', done: false });
      await writer.sync();
      await arrived;
      expect(watcherStore.get('todos', 't1')).toMatchObject({ title: 'written through process 0', done: false });
    } finally {
      await writer.close();
      await watcher.close();
    }
  });

  it('SIGKILL mid-push: acknowledged messages are kept; unacknowledged ones, pushed again elsewhere, are stored once', async () => {
    const token = await auth.sign('killed', 3600);
    const victim = await start();
    const acknowledged: Message[] = [];
    const unacknowledged: Message[][] = [];
    let killed = false;
    const TARGET_ACKS = 30;
    let acks = 0;
    await Promise.all(Array.from({ length: 6 }, async (_, c) => {
      const clientId = `K${c}`;
      for (let p = 0; ; p++) {
        const batch = Array.from({ length: 100 }, (_, j) => msg(clientId, p * 200 + j, 0, `k${c}-${p}-${j}`, 'title', `${clientId} ${p}.${j}`));
        let answer: SyncAnswer;
        try {
          answer = await sync(victim.url, token, { clientId, cursor: 0, limit: 1, messages: batch });
        } catch {
          unacknowledged.push(batch); // the connection died: stored or not, we cannot know
          return;
        }
        if (answer.status !== 200) throw new Error(`push refused: ${answer.status}`);
        acknowledged.push(...batch);
        if (++acks === TARGET_ACKS) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
        if (killed) return;
      }
    }));
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(unacknowledged.length).toBeGreaterThan(0); // pushes were in flight when it died

    // The clients push what was not acknowledged again, to the other processes.
    for (const [i, batch] of unacknowledged.entries()) {
      const answer = await push(urls[i % urls.length] as string, token, hlcClient(batch), batch);
      expect(answer.accepted).toBe(batch.length);
    }
    const held = await pullAll(urls[1] as string, token);
    const hlcs = held.map((m) => m.hlc);
    expect(new Set(hlcs).size).toBe(hlcs.length); // stored once
    const heldSet = new Set(hlcs);
    expect(acknowledged.filter((m) => !heldSet.has(m.hlc))).toEqual([]); // nothing acknowledged is lost
    expect(held.length).toBe(acknowledged.length + unacknowledged.flat().length);
  }, 120_000);

  it('a database it cannot reach stops the server with one clear line, without the password', () => {
    const r = runScript('main.ts', [], { ...env(), FIELDSYNC_DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/nothing' });
    expect(r.status).toBe(1);
    // It names the database (the URL without its credentials) as what it cannot reach.
    expect(r.stderr).toMatch(/^fieldsync: cannot use the database \(postgres 127\.0\.0\.1:1\/nothing\): .*ECONNREFUSED/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });
});

const hlcClient = (batch: Message[]): string => (batch[0] as Message).hlc.slice(30);
