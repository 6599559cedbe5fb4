/**
 * Another user of the machine (uid `nobody`) who got to the server's data dir before the
 * server did: a dir it made itself (`--data-dir /tmp/fieldsync`, taken first), or files it put
 * in the server's dir while that was open to others (it is tightened to 0700 at start, but
 * what is already inside stays its owner's). With a `token-secret` of its own there, it knew
 * the server's signing key and could sign a token for any user; with a database of its own
 * (a hard link it keeps elsewhere), it could change the mode back and read every user's data.
 * The server now refuses to start on a dir or a file that is not its user's own (nor root's),
 * and on a secret file others can read that it cannot make 0600 (its failed chmod was ignored).
 * Runs only where the tests run as root, which can give files to `nobody`; skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../auth.ts';
import { runScript, spawnServer } from '../../test-support/child-server.ts';
import { tempDir } from './helpers/temp-dir.ts';

const NOBODY = 65534;
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const why = asRoot ? null : 'needs root, to give files to nobody';
/** A secret the other user made, and so knows: random-looking enough for the strength check. */
const KNOWN_SECRET = 'q7Vb2Lr9XwT4kZp1Nf8Hs3Jd6Gc0Ym5E';

/** Starts the server on `env`; if it starts, tries the other user's token on it, and stops it. */
async function startAndAttack(env: Record<string, string>): Promise<{ started: false; stderr: string } | { started: true; attackerStatus: number }> {
  let s;
  try {
    s = await spawnServer(env);
  } catch (err) {
    return { started: false, stderr: String(err) };
  }
  try {
    const token = await createAuthenticator(KNOWN_SECRET).sign('alice', 3600);
    const res = await fetch(`${s.url}/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: 'thief', cursor: 0 }),
    });
    await res.arrayBuffer();
    return { started: true, attackerStatus: res.status };
  } finally {
    s.child.kill('SIGKILL');
    await s.exited;
  }
}

describe.skipIf(why !== null)(`a data dir another user got to first${why ? ` (skipped: ${why})` : ''}`, () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  /** A new folder of this test's. */
  const parent = (): string => {
    const d = tempDir('fieldsync-foreign-');
    cleanups.push(d.remove);
    return d.path;
  };

  it('refuses a data dir that belongs to another user, the token CLI too', async () => {
    const dir = join(parent(), 'data');
    mkdirSync(dir, { mode: 0o755 }); // nobody's: nobody can do anything in it
    writeFileSync(join(dir, 'token-secret'), `${KNOWN_SECRET}\n`, { mode: 0o600 });
    chownSync(join(dir, 'token-secret'), NOBODY, NOBODY);
    chownSync(dir, NOBODY, NOBODY);
    const outcome = await startAndAttack({ FIELDSYNC_DATA_DIR: dir });
    expect(outcome).toEqual({ started: false, stderr: expect.stringContaining(`fieldsync: the data dir ${dir} belongs to another user (uid ${NOBODY})`) });
    expect(statSync(dir).mode & 0o777).toBe(0o755); // refused before anything in it changed, its mode too
    const cli = runScript('token-cli.ts', ['alice'], { FIELDSYNC_DATA_DIR: dir });
    expect([cli.status, cli.stdout]).toEqual([2, '']);
    expect(cli.stderr).toContain(`the data dir ${dir} belongs to another user (uid ${NOBODY})`);
    // With a secret given, the database would still be in that dir.
    const given = await startAndAttack({ FIELDSYNC_DATA_DIR: dir, FIELDSYNC_SECRET: 'hT3kW9pQ2vN7xB4mR8sL1cF6jD0gY5zA' });
    expect(given).toEqual({ started: false, stderr: expect.stringContaining(`belongs to another user (uid ${NOBODY})`) });
  });

  it('refuses a secret file another user put in the data dir', async () => {
    const dir = join(parent(), 'data');
    mkdirSync(dir, { mode: 0o777 }); // open to others once: the server tightens it at start
    const file = join(dir, 'token-secret');
    writeFileSync(file, `${KNOWN_SECRET}\n`, { mode: 0o644 });
    chownSync(file, NOBODY, NOBODY);
    const outcome = await startAndAttack({ FIELDSYNC_DATA_DIR: dir });
    expect(outcome).toEqual({ started: false, stderr: expect.stringContaining(`fieldsync: ${file} belongs to another user (uid ${NOBODY})`) });
  });

  it('refuses a database file another user put in the data dir', async () => {
    const dir = join(parent(), 'data');
    mkdirSync(dir, { mode: 0o777 });
    const file = join(dir, 'fieldsync.sqlite');
    writeFileSync(file, '', { mode: 0o666 });
    chownSync(file, NOBODY, NOBODY);
    const outcome = await startAndAttack({ FIELDSYNC_DATA_DIR: dir, FIELDSYNC_SECRET: 'hT3kW9pQ2vN7xB4mR8sL1cF6jD0gY5zA' });
    expect(outcome).toEqual({ started: false, stderr: expect.stringContaining(`fieldsync: ${file} belongs to another user (uid ${NOBODY})`) });
  });

  it('refuses a secret file others can read that cannot be made 0600 (on a read-only mount)', async (ctx) => {
    const dir = join(parent(), 'data');
    const source = join(parent(), 'secret');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(source, `${KNOWN_SECRET}\n`, { mode: 0o644 });
    const file = join(dir, 'token-secret');
    writeFileSync(file, '', { mode: 0o600 });
    // The secret file, read-only: bind-mounted over, where the system lets root mount.
    const mount = (...args: string[]): boolean => spawnSync('mount', args).status === 0;
    if (!mount('--bind', source, file)) return ctx.skip('mount --bind is not permitted here');
    try {
      if (!mount('-o', 'remount,bind,ro', file)) return ctx.skip('a read-only remount is not permitted here');
      const outcome = await startAndAttack({ FIELDSYNC_DATA_DIR: dir });
      expect(outcome).toEqual({ started: false, stderr: expect.stringContaining(`fieldsync: the secret file ${file} can be read or written by other users (mode 644) and could not be made 0600`) });
    } finally {
      spawnSync('umount', [file]);
    }
  });
});
