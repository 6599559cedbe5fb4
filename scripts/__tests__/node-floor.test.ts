/**
 * The Node floor: one number (package.json's engines) that .nvmrc, .node-version, the README
 * and .ci/run agree with, and every npm script refuses an older Node with one line and exit
 * code 1, before a `.ts` file could fail with a stack trace. The refusal runs under a real old
 * Node when the machine has one (Debian's /usr/bin/node is Node 20 here), else with a faked
 * version.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const check = require('../check-node.cjs') as {
  floorOf(pkg: unknown): string;
  refusal(current: string, floor: string): string | null;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
const floor = check.floorOf(pkg);
const PREFLIGHT = 'node scripts/check-node.cjs && ';

/** A Node older than the floor on this machine, if any. */
function oldNode(): string | null {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node', ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node'))];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (version && check.refusal(version, floor) !== null) return path;
  }
  return null;
}

describe('the Node floor', () => {
  it('is 22.18, the first Node that runs .ts files without a flag, and every file that names it agrees', () => {
    expect(floor).toBe('22.18');
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe(floor);
    expect(readFileSync(join(root, '.node-version'), 'utf8').trim()).toBe(floor);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`Node.js ${floor} or newer`);
    // .ci/run decides with the same preflight, so it cannot disagree.
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain('node scripts/check-node.cjs');
  });

  it('compares versions, not strings', () => {
    for (const ok of ['v22.18.0', 'v22.18.1', 'v22.20.0', 'v23.0.0', 'v24.21.0', 'v100.0.0']) expect(check.refusal(ok, '22.18'), ok).toBeNull();
    for (const old of ['v22.17.9', 'v22.9.0', 'v20.20.2', 'v18.0.0', 'v4.0.0', 'garbage']) expect(check.refusal(old, '22.18'), old).toMatch(/^Fieldsync needs Node\.js 22\.18 or newer \(this is .*\): install it from https:\/\/nodejs\.org/);
  });

  it('runs first in every npm script', () => {
    for (const [name, command] of Object.entries(pkg.scripts)) expect(command.startsWith(PREFLIGHT), `npm run ${name}: ${command}`).toBe(true);
  });

  const old = oldNode();
  const users = ['start', 'test', 'server', 'token', 'start:web', 'bench', 'build', 'lint', 'typecheck', 'test:unit', 'test:e2e', 'dist', 'pack:lib'];
  it.skipIf(process.platform === 'win32')(`on an older Node, each script a user runs prints one line and exits 1 (${old ? `real ${old}` : 'faked version'})`, () => {
    // With a real old Node first on PATH, npm itself runs on it too, exactly as for a user.
    const env = old ? { ...process.env, PATH: `${dirname(old)}${delimiter}${process.env.PATH}` } : { ...process.env, FIELDSYNC_FAKE_NODE_VERSION: 'v20.0.0' };
    for (const script of users) {
      const r = spawnSync('npm', ['run', '--silent', script, '--', '--help'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `npm run ${script}: ${r.stderr}`).toBe(1);
      expect(r.stdout, `npm run ${script}`).toBe('');
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines, `npm run ${script}`).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^Fieldsync needs Node\\.js ${floor.replace('.', '\\.')} or newer \\(this is v20\\.`));
      expect(r.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
    }
  }, 120_000);
});
