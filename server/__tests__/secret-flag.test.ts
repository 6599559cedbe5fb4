/**
 * Round 59: the token secret, or a database password, given as a flag. A process's command
 * line is public on the machine: every user reads it with `ps` (or `/proc/<pid>/cmdline`) for
 * as long as the process runs. With `--secret` there, any other local user could sign a token
 * for any user of the server; with `--database-url postgres://u:pw@…`, use its database. The
 * README only said to prefer the variable. Now such a flag is refused, with where to put the
 * value instead, and the value is never echoed; the same value from its variable is taken.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { runScript } from '../../test-support/child-server.ts';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const SECRET = 'hT3kW9pQ2vN7xB4mR8sL1cF6jD0gY5zA';
const DATABASE = 'postgres://fieldsync:s3cr3t-pw@127.0.0.1:5432/fieldsync';

const refusal = (argv: string[], env: Record<string, string> = {}): Error => {
  try {
    loadConfig(argv, env);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`loadConfig(${argv[0]}) was accepted`);
};

describe('a secret on the command line', () => {
  it('is refused, in either spelling, saying where to put it, never echoing it', () => {
    for (const argv of [['--secret', SECRET], [`--secret=${SECRET}`]]) {
      const err = refusal(argv);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/^--secret on the command line can be read by every user of this machine \(ps, \/proc\/PID\/cmdline\): set FIELDSYNC_SECRET instead/);
      expect(err.message).not.toContain(SECRET);
    }
    expect(loadConfig([], { FIELDSYNC_SECRET: SECRET })?.secret).toBe(SECRET);
  });

  it('is refused by the token CLI too, which passes the flag on to the same settings', () => {
    const r = runScript('token-cli.ts', ['alice', '--secret', SECRET], {});
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('--secret on the command line can be read by every user of this machine');
    expect(r.stderr).not.toContain(SECRET);
  });

  it('a database URL with a password is refused as a flag, taken from its variable; one without a password is taken as a flag', () => {
    const err = refusal(['--database-url', DATABASE], { FIELDSYNC_SECRET: SECRET });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^--database-url holds a password, and the command line can be read by every user of this machine \(ps, \/proc\/PID\/cmdline\): set FIELDSYNC_DATABASE_URL instead/);
    expect(err.message).not.toContain('s3cr3t-pw');
    expect(loadConfig([], { FIELDSYNC_DATABASE_URL: DATABASE, FIELDSYNC_SECRET: SECRET })?.databaseUrl).toBe(DATABASE);
    const noPassword = 'postgres://fieldsync@127.0.0.1:5432/fieldsync';
    expect(loadConfig(['--database-url', noPassword], { FIELDSYNC_SECRET: SECRET })?.databaseUrl).toBe(noPassword);
  });

  it.skipIf(!asRoot)(`is what another user reads in /proc, as long as the process runs (why the flag is refused)${asRoot ? '' : ' (skipped: needs root, to read as nobody)'}`, async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)', '--', '--secret', 'visible-to-all'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const seen = spawnSync('cat', [`/proc/${child.pid}/cmdline`], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
      expect(seen.stdout.split('\0')).toContain('visible-to-all');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
