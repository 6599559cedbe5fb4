/**
 * An instance started again takes its last run's port when it is free (last-port.ts), so that
 * a page left open says at once that its session is gone, rather than "Reconnecting…" for 30
 * seconds; taken, it takes another, and an odd port file is no preference.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNodeProcess } from '../../../scripts/processes.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';
import { LAST_PORT_FILE, readLastPort, saveLastPort } from '../last-port.ts';

describe('the last run’s port', () => {
  it('is read back as it was kept, privately; anything odd is no preference', () => {
    const dir = tempDir('fieldsync-last-port-');
    try {
      expect(readLastPort(dir.path)).toBe(0);
      saveLastPort(dir.path, 41234, () => {});
      expect(readLastPort(dir.path)).toBe(41234);
      expect(statSync(join(dir.path, LAST_PORT_FILE)).mode & 0o777).toBe(0o600);
      for (const odd of ['80\n', '70000\n', '4123x\n', '', '0x1000\n', '1e4\n', '-4000\n', '41234 41235\n']) {
        writeFileSync(join(dir.path, LAST_PORT_FILE), odd);
        expect(readLastPort(dir.path), JSON.stringify(odd)).toBe(0);
      }
      const logs: string[] = [];
      saveLastPort(join(dir.path, 'no-such-dir'), 41234, (m) => logs.push(m));
      expect(logs).toEqual([expect.stringMatching(/^could not keep the port for the next run: /)]);
    } finally {
      dir.remove();
    }
  });

  it('replaces a link planted as the port file, never writing through it (round 59)', () => {
    // A profile that was open to others once (tightened at start, but what is in it stays): a
    // link named web-host.port, made by another user, pointing at a file of this user's. The
    // host wrote the port through it, over that file (as root, over any file of the machine).
    const dir = tempDir('fieldsync-last-port-');
    try {
      const precious = join(dir.path, 'precious.txt');
      writeFileSync(precious, 'a file of the user\n', { mode: 0o644 });
      const profile = join(dir.path, 'profile');
      mkdirSync(profile, { mode: 0o700 });
      symlinkSync(precious, join(profile, LAST_PORT_FILE));
      saveLastPort(profile, 41234, () => {});
      expect(readFileSync(precious, 'utf8')).toBe('a file of the user\n');
      const kept = lstatSync(join(profile, LAST_PORT_FILE));
      expect([kept.isFile(), kept.mode & 0o777]).toEqual([true, 0o600]);
      expect(readLastPort(profile)).toBe(41234);
      expect(readdirSync(profile)).toEqual([LAST_PORT_FILE]); // no temporary file left behind
    } finally {
      dir.remove();
    }
  });

  it('is taken again by the next run of the host, or another when something holds it', async () => {
    const dir = tempDir('fieldsync-last-port-');
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    const profile = join(dir.path, 'profile');
    const started: { stop(): Promise<unknown> }[] = [];
    const run = async () => {
      const host = await startNodeProcess({ name: 'web-1', args: ['src/web-host/main.ts', '--profile', 'web-1', '--profile-dir', profile, '--renderer-dir', renderer] });
      started.push(host);
      return host;
    };
    const portOf = (url: string): number => Number(new URL(url).port);
    try {
      const first = await run();
      const port = portOf(first.url);
      await first.stop();
      expect(readLastPort(profile)).toBe(port);
      const second = await run();
      expect(portOf(second.url)).toBe(port);
      await second.stop();
      // Another program took it meanwhile: a free port, kept for next time.
      const squatter = createServer();
      await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
      try {
        const third = await run();
        expect(portOf(third.url)).not.toBe(port);
        await third.stop();
        expect(readLastPort(profile)).toBe(portOf(third.url));
      } finally {
        await new Promise((r) => squatter.close(r));
      }
    } finally {
      // Each stopped (again: stopping twice is harmless), also when an expectation failed.
      for (const host of started) await host.stop();
      dir.remove();
    }
  });
});
