/**
 * The server as an operator runs it: `node server/main.ts` in its own process. Startup and
 * settings, the token CLI, graceful shutdown, and durability across SIGKILL.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'fieldsync';
import type { ServerMessage } from 'fieldsync/server';
import { runScript, spawnServer, type ChildServer } from '../../test-support/child-server.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { msg } from './helpers/test-server.ts';

async function sync(url: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pullAll(url: string, token: string): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  let cursor = 0;
  for (;;) {
    const r = await sync(url, token, { clientId: 'observer', cursor, limit: 5000 });
    expect(r.status).toBe(200);
    out.push(...(r.body.messages as ServerMessage[]));
    cursor = r.body.cursor as number;
    if (!r.body.more) return out;
  }
}

const mintToken = (dataDir: string, user: string, ttl = '1h'): string => {
  const r = runScript('token-cli.ts', [user, '--ttl', ttl], { FIELDSYNC_DATA_DIR: dataDir });
  expect(r.status).toBe(0);
  return r.stdout.trim();
};

describe('the server process', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const dataDir = (): string => {
    const d = tempDir();
    cleanups.push(d.remove);
    return d.path;
  };
  const start = async (env: Record<string, string>): Promise<ChildServer> => {
    const s = await spawnServer(env);
    cleanups.push(async () => {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGKILL');
        await s.exited;
      }
    });
    return s;
  };

  it('starts with no set-up, prints its URL, keeps a generated secret private, and mints working tokens', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const secretFile = join(dir, 'token-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'fieldsync.sqlite')).mode & 0o077).toBe(0);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const token = mintToken(dir, 'alice', '30d');
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeJwt(token);
    expect(claims.sub).toBe('alice');
    expect((claims.exp as number) - Date.now() / 1000).toBeGreaterThan(30 * 86400 - 60);
    expect((await sync(s.url, token, { clientId: 'A', cursor: 0, messages: [msg('A', 'r', 'hi')] })).status).toBe(200);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.stdout() + s.stderr()).not.toContain(secret);
  });

  it('token CLI: prints only the token; refuses bad arguments with exit code 2', () => {
    const dir = dataDir();
    // In a data dir no server has used yet, it says it made a secret: a running server with
    // another data dir would refuse the token. Then it prints the token alone.
    const first = runScript('token-cli.ts', ['bob'], { FIELDSYNC_DATA_DIR: dir });
    expect([first.status, first.stdout.trim().split('\n').length]).toEqual([0, 1]);
    expect(first.stderr).toBe(`fieldsync token: there was no secret in ${dir}: made a new one (${join(dir, 'token-secret')}). Only a server started with this data dir accepts the token; for a running server, give its --data-dir or FIELDSYNC_SECRET.\n`);
    const ok = runScript('token-cli.ts', ['bob'], { FIELDSYNC_DATA_DIR: dir });
    expect([ok.status, ok.stdout.trim().split('\n').length, ok.stderr]).toEqual([0, 1, '']);
    expect(runScript('token-cli.ts', ['--help'], {}).stdout).toMatch(/FIELDSYNC_SECRET=.*--data-dir DIR.*FIELDSYNC_DATA_DIR/s);
    expect(((decodeJwt(ok.stdout.trim()).exp as number) - Date.now() / 1000) / 86400).toBeCloseTo(30, 0);
    for (const [ttl, days] of [['12h', 0.5], ['15m', 15 / 1440], ['3600s', 1 / 24]] as const) {
      const r = runScript('token-cli.ts', ['bob', '--ttl', ttl], { FIELDSYNC_DATA_DIR: dir });
      expect(((decodeJwt(r.stdout.trim()).exp as number) - Date.now() / 1000) / 86400).toBeCloseTo(days, 2);
    }
    for (const args of [['bob', '--ttl', '5x'], ['bob', '--ttl', '-1d'], ['bob', '--ttl'], [], ['bob', 'carol'], ['bob', '--nope', '1'], ['bob', '--data-dir']]) {
      const r = runScript('token-cli.ts', args, { FIELDSYNC_DATA_DIR: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^fieldsync token: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // A flag it does not have is named, not read as taking the next argument as its value
    // (`--user alice` said "the userId is missing"; `--nope --data-dir DIR`, "unexpected argument: DIR").
    for (const [args, flag] of [[['--user', 'alice'], '--user'], [['bob', '--nope', '--data-dir', dir], '--nope'], [['bob', '--port=1'], '--port']] as const) {
      const r = runScript('token-cli.ts', [...args], {});
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr.split('\n')[0]).toBe(`fieldsync token: unknown option ${flag}: the options are --ttl and --data-dir`);
    }
    const named = runScript('token-cli.ts', ['bob', '--data-dir', dir], {});
    const assigned = runScript('token-cli.ts', ['bob', `--data-dir=${dir}`], {});
    expect([named.status, named.stderr, assigned.status, assigned.stderr]).toEqual([0, '', 0, '']);
  });

  it('refuses bad settings with one clear line and exit code 2', () => {
    const dir = dataDir();
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: 'eighty' }, [], /PORT must be an integer/],
      [{}, ['--port', '70000'], /--port must be an integer from 0 to 65535/],
      [{ FIELDSYNC_BODY_LIMIT: 'lots' }, [], /FIELDSYNC_BODY_LIMIT must be a size/],
      [{ FIELDSYNC_MAX_DRIFT: '5' }, [], /FIELDSYNC_MAX_DRIFT must be a duration/],
      [{ FIELDSYNC_COMPACTION: 'maybe' }, [], /FIELDSYNC_COMPACTION must be on or off/],
      [{ FIELDSYNC_SECRET: 'short' }, [], /FIELDSYNC_SECRET must be at least 32 characters/],
      [{ FIELDSYNC_SECRET: ' '.repeat(32) }, [], /FIELDSYNC_SECRET is too predictable \(about \d+ bits of entropy, at least 100 needed\)/],
      [{ FIELDSYNC_SECRET: 'a'.repeat(32) }, [], /FIELDSYNC_SECRET is too predictable/],
      [{ FIELDSYNC_LOG_LEVEL: 'loud' }, [], /FIELDSYNC_LOG_LEVEL must be one of/],
      [{}, ['--frobnicate'], /unknown option: --frobnicate/],
      [{}, ['--port'], /--port needs a value/],
      [{ FIELDSYNC_DATABASE_URL: 'mysql://u:hunter2@localhost/db' }, [], /FIELDSYNC_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
      [{ FIELDSYNC_DATABASE_POOL_MAX: '0' }, [], /FIELDSYNC_DATABASE_POOL_MAX must be an integer from 1/],
      [{ FIELDSYNC_DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/db' }, [], /FIELDSYNC_DATABASE_URL needs FIELDSYNC_SECRET/],
    ];
    for (const [env, args, message] of cases) {
      const r = runScript('main.ts', args, { FIELDSYNC_DATA_DIR: dir, ...env });
      expect(r.status, JSON.stringify([env, args])).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain('hunter2');
    }
    const help = runScript('main.ts', ['--help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('FIELDSYNC_DATA_DIR');
  });

  it('refuses a second server on the same SQLite data dir, and starts again once the first is gone, even killed', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    const second = runScript('main.ts', [], { FIELDSYNC_DATA_DIR: dir, PORT: '0' });
    expect(second.status).toBe(2);
    expect(second.stderr).toBe(`fieldsync: another Fieldsync server (process ${s.child.pid}) uses the data dir ${dir}: one SQLite database takes one server process, since each pokes only its own clients. Stop it, give this one another --data-dir, or run several processes on PostgreSQL (docs/postgres.md)\n`);
    // Killed, it leaves its server.pid, which the next server overwrites: the OS lock went with the process.
    s.child.kill('SIGKILL');
    await s.exited;
    expect(readFileSync(join(dir, 'server.pid'), 'utf8')).toBe(`${s.child.pid}\n`);
    const next = await start({ FIELDSYNC_DATA_DIR: dir });
    expect(readFileSync(join(dir, 'server.pid'), 'utf8')).toBe(`${next.child.pid}\n`);
    expect(statSync(join(dir, 'server.pid')).mode & 0o777).toBe(0o600);
    // Stopped, it removes it.
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(() => statSync(join(dir, 'server.pid'))).toThrow(/ENOENT/);
  });

  it('starts at once after a server killed with SIGKILL whose pid now runs another process (pids are reused after a crash or a reboot)', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    s.child.kill('SIGKILL');
    await s.exited;
    // The killed server's pid, taken by a process that is not a Fieldsync server: as if the
    // killed server had had that pid, in server.pid and as the last to take server.lock.
    const other = spawn('sleep', ['100'], { stdio: 'ignore' });
    cleanups.push(() => void other.kill('SIGKILL'));
    const lockDb = new DatabaseSync(join(dir, 'server.lock'));
    expect((lockDb.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(s.child.pid);
    lockDb.exec(`PRAGMA user_version = ${other.pid}`);
    lockDb.close();
    writeFileSync(join(dir, 'server.pid'), `${other.pid}\n`);
    const next = await start({ FIELDSYNC_DATA_DIR: dir });
    expect(readFileSync(join(dir, 'server.pid'), 'utf8')).toBe(`${next.child.pid}\n`);
    expect(statSync(join(dir, 'server.pid')).mode & 0o777).toBe(0o600);
    expect((await fetch(`${next.url}/healthz`)).status).toBe(200);
    // It holds the dir as any server does.
    const third = runScript('main.ts', [], { FIELDSYNC_DATA_DIR: dir, PORT: '0' });
    expect([third.status, third.stderr]).toEqual([2, expect.stringContaining(`another Fieldsync server (process ${next.child.pid}) uses the data dir ${dir}`)]);
  });

  it('exits with a clear message when its port is taken', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    const port = new URL(s.url).port;
    const r = runScript('main.ts', [], { FIELDSYNC_DATA_DIR: dataDir(), PORT: port });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`port ${port} .*already in use \\(choose another with --port or PORT`));
    // Given by its flag, the same line: the flag is named too.
    const byFlag = runScript('main.ts', ['--port', port], { FIELDSYNC_DATA_DIR: dataDir() });
    expect([byFlag.status, byFlag.stderr]).toEqual([1, expect.stringContaining('--port or PORT')]);
  });

  it('SIGTERM: stops accepting, finishes the request in flight, then closes the database', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    const token = mintToken(dir, 'alice');
    const m = msg('A', 'inflight', 'finished during shutdown');
    const body = JSON.stringify({ clientId: 'A', cursor: 0, messages: [m] });
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(`${s.url}/v1/sync`, {
        method: 'POST', agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        s.child.kill('SIGTERM');
        setTimeout(() => {
          // Draining: new connections are refused, then the request in flight completes.
          refusedDuringDrain = fetch(`${s.url}/healthz`).then(() => false, () => true);
          void refusedDuringDrain.then(() => req.end(body.slice(20)));
        }, 300);
      }, 200);
    });
    let refusedDuringDrain: Promise<boolean> = Promise.resolve(false);
    expect(await answered).toBe(200);
    expect(await refusedDuringDrain).toBe(true);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    const again = await start({ FIELDSYNC_DATA_DIR: dir });
    expect((await pullAll(again.url, token)).map((x) => x.value)).toEqual(['finished during shutdown']);
  });

  it('SIGKILL right after acknowledgements: the restarted server holds every acknowledged message', async () => {
    const dir = dataDir();
    const s = await start({ FIELDSYNC_DATA_DIR: dir });
    const token = mintToken(dir, 'alice');
    const acknowledged: Message[] = [];
    let killed = false;
    const TARGET = 60;
    // Six clients push as fast as they can; the process dies right after the 60th answer,
    // while other pushes are still in flight.
    await Promise.all(Array.from({ length: 6 }, async (_, c) => {
      for (let p = 0; !killed; p++) {
        const batch = Array.from({ length: 50 }, (_, j) => msg(`C${c}`, `c${c}-${p}-${j}`, p * 100 + j));
        let status: number;
        try {
          status = (await sync(s.url, token, { clientId: `C${c}`, cursor: 0, limit: 1, messages: batch })).status;
        } catch {
          return; // the server is gone
        }
        if (status !== 200) throw new Error(`push refused: ${status}`);
        if (killed) return; // answered after the kill was decided: not counted
        acknowledged.push(...batch);
        if (acknowledged.length >= TARGET * 50) {
          killed = true;
          s.child.kill('SIGKILL');
        }
      }
    }));
    expect(await s.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const again = await start({ FIELDSYNC_DATA_DIR: dir });
    const held = new Set((await pullAll(again.url, token)).map((x) => x.hlc));
    expect(acknowledged.length).toBeGreaterThanOrEqual(TARGET * 50);
    const lost = acknowledged.filter((m) => !held.has(m.hlc));
    expect(lost).toEqual([]);
  });
});
