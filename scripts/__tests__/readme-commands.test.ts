/**
 * The README's commands, taken from the README itself, so that it cannot drift from what works:
 *   - the server quick start runs as written (`npm run server`, its one ready line, a token
 *     captured with `TOKEN=$(...)`, the curl example), on a free port instead of 8787;
 *   - every `--help` it mentions answers with a usage, exit code 0;
 *   - every npm script and file it names exists, every `npm start`/`start:web`/`bench` option
 *     it shows is accepted, and every server setting in its table is one the server knows.
 * The demo itself (`npm start`, `npm run start:web`) runs in start-script and start-web tests;
 * the library's install (`npm run pack:lib`, `npm install` of the tarball) and its example in
 * pack-lib.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/lib/cli.ts';
import { freePort } from '../../test-support/free-port.ts';
import { tempDir } from '../../test-support/temp-dir.ts';
import { parseStartArgs } from '../lib/start-args.ts';

/** Whether something listens on 127.0.0.1:`port`. */
const portOpen = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
});

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const posix = process.platform !== 'win32';

/** The README's part under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`the README has no "${heading}"`);
  const level = heading.split(' ')[0] as string;
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next === -1 ? rest : rest.slice(0, next);
}

/** The fenced blocks of a part of the README in one language (`sh`; '' for plain blocks). */
function blocks(text: string, lang = 'sh'): string[] {
  const found: string[] = [];
  let open: { lang: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    const fence = /^```(\w*)\s*$/.exec(line);
    if (fence && open === null) open = { lang: fence[1] as string, lines: [] };
    else if (fence && open !== null) {
      if (open.lang === lang) found.push(`${open.lines.join('\n')}\n`);
      open = null;
    } else open?.lines.push(line);
  }
  return found;
}

/** Every command the README shows: lines of its sh blocks (comments off) and its inline code. */
const commands: string[] = [
  ...blocks(readme).flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()),
  ...[...readme.matchAll(/`([^`\n]*\b(?:npm|npx|node) [^`\n]*)`/g)].map((m) => m[1] as string),
].filter(Boolean);

const run = (command: string, env: Record<string, string> = {}, timeout = 60_000) =>
  spawnSync('bash', ['-c', command], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout });

describe('the README', () => {
  it('names only npm scripts that exist', () => {
    const named = commands.flatMap((c) => [...c.matchAll(/npm (?:run(?: -s)? ([\w:-]+)|(start|test)\b)/g)].map((m) => (m[1] ?? m[2]) as string));
    expect(named.length).toBeGreaterThan(10);
    for (const name of new Set(named)) expect(scripts[name], `npm run ${name}`).toBeDefined();
  });

  it('runs only files that exist', () => {
    const files = commands.flatMap((c) => [...c.matchAll(/\bnode ((?:[\w.-]+\/)*[\w.-]+\.(?:ts|js|cjs|mjs))/g)].map((m) => m[1] as string));
    expect(files.length).toBeGreaterThan(2);
    for (const file of new Set(files)) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it('shows only options that npm start, start:web and the bench accept', () => {
    const argsAfter = (prefix: RegExp) => commands.flatMap((c) => {
      const m = prefix.exec(c);
      return m ? [c.slice(m.index + m[0].length).split(/\s*[&|;]/)[0]!.trim().split(/\s+/).filter(Boolean)] : [];
    });
    const start = [...argsAfter(/npm start -- /), ...argsAfter(/npm run start:web -- /)];
    expect(start.length).toBeGreaterThan(2);
    for (const args of start) expect(() => parseStartArgs(args), args.join(' ')).not.toThrow();
    const bench = argsAfter(/npm run bench -- /);
    expect(bench.length).toBeGreaterThan(2);
    for (const args of bench) expect(() => parseBenchArgs(args), args.join(' ')).not.toThrow();
  });

  it('lists only server settings the server knows, and the server knows every one it lists', () => {
    const table = section('### Settings');
    const flags = [...table.matchAll(/^\| `(--[\w-]+)` \| `([A-Z_]+)` \|/gm)].map((m) => [m[1] as string, m[2] as string] as const);
    expect(flags.length).toBeGreaterThan(10);
    const help = run('node server/main.ts --help');
    expect(help.status).toBe(0);
    for (const [flag, variable] of flags) {
      expect(help.stdout, flag).toContain(flag);
      expect(help.stdout, variable).toContain(variable);
    }
  });

  it.skipIf(!posix)('every --help it mentions prints a usage and exits 0', () => {
    const helps = [...new Set(commands.filter((c) => /^npm .* -- --help$/.test(c)))];
    // The ones a user reaches for first, each mentioned where its command is described.
    for (const expected of ['npm run server -- --help', 'npm run bench -- --help', 'npm start -- --help', 'npm run start:web -- --help', 'npm run token -- --help']) {
      expect(helps, expected).toContain(expected);
    }
    for (const command of helps) {
      const r = run(command);
      expect(r.status, `${command}: ${r.stderr}`).toBe(0);
      expect(r.stdout, command).toMatch(/usage/i);
    }
  }, 120_000);

  it.skipIf(!posix || !existsSync('/usr/bin/curl'))('server quick start: npm run server prints its one ready line; a captured token syncs with the curl example', async () => {
    const part = section('## Run the server');
    const [serverCommand] = blocks(part);
    const readyLine = blocks(part, '')[0]?.trim();
    expect(serverCommand?.trim()).toBe('npm run server');
    expect(readyLine).toBe('fieldsync server listening on http://127.0.0.1:8787');
    const tokenLines = (blocks(part)[1] ?? '').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(tokenLines).toHaveLength(2);
    for (const line of tokenLines) expect(line).toMatch(/^TOKEN=\$\(npm run .*token -- alice.*\)$/);
    const curl = blocks(part)[2] ?? '';
    expect(curl).toContain('$TOKEN');

    const dir = tempDir();
    const port = await freePort();
    const env = { PORT: String(port), FIELDSYNC_DATA_DIR: join(dir.path, 'data'), FIELDSYNC_SECRET: '' };
    // Its own process group: npm runs the server under `sh -c`, which does not pass a SIGTERM
    // on, so stopping npm alone left the server running after the test (found at 08:01 on
    // 2026-11-30: a `node server/main.ts` of this test, orphaned, still listening).
    const server = spawn('bash', ['-c', `exec ${serverCommand!.trim()}`], { cwd: root, env: { ...process.env, ...env }, detached: true });
    const exited = new Promise((r) => server.once('exit', r));
    let stdout = '';
    server.stdout.on('data', (d) => (stdout += d));
    try {
      await expect.poll(() => stdout.includes('listening'), { timeout: 30_000 }).toBe(true);
      // As the README promises: npm's banner, then exactly one line that says it listens.
      const listening = stdout.split('\n').filter((l) => l.includes('listening'));
      expect(listening).toEqual([readyLine!.replace('8787', String(port))]);

      for (const tokenLine of tokenLines) {
        const script = `set -euo pipefail\n${tokenLine}\n${curl.replaceAll('127.0.0.1:8787', `127.0.0.1:${port}`)}`;
        const r = run(script, env);
        expect(r.status, r.stderr).toBe(0);
        const body = JSON.parse(r.stdout) as { cursor: number; messages: unknown[] };
        expect(body.cursor).toBe(0);
        expect(body.messages).toEqual([]);
      }
      expect(stdout.split('\n').filter((l) => l.includes('listening'))).toHaveLength(1);
    } finally {
      process.kill(-(server.pid as number), 'SIGTERM'); // npm, its shell and the server
      await exited;
      // The server itself is gone too: its port refuses connections.
      await expect.poll(() => portOpen(port), { timeout: 15_000 }).toBe(false);
      dir.remove();
    }
  }, 90_000);
});
