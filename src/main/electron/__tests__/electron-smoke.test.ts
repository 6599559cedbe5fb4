/**
 * The built app in real Electron: the window opens with the profile in its title, the page
 * gets `window.fieldsync` (every API method) and no Node, and an AppError keeps its code
 * across the contextBridge. Needs Electron's binary, which cannot be downloaded on every
 * machine: without it this test is skipped, with the reason in its name.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findElectronBinary } from '../../../../scripts/lib/electron-binary.ts';
import { expectedSmokeReport } from '../../../../scripts/lib/packaged-smoke.ts';
import { tempDir } from '../../../../test-support/temp-dir.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
/** The app's name, from its one source (a renamed fork's smoke test reads its own). */
const { productName } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string };
const electron = findElectronBinary(join(root, 'node_modules', 'electron'), process.env);
const xvfb = process.platform === 'linux' && !process.env.DISPLAY && spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY) || xvfb;
const reason = !electron.ok ? `Electron's binary is not installed: ${electron.reason}` : !display ? 'no display and no xvfb-run' : '';
if (reason) console.log(`electron smoke test skipped: ${reason}`);

it.skipIf(Boolean(reason))(`runs the built app in Electron${reason ? ` (skipped: ${reason})` : ''}`, async () => {
  if (!electron.ok) return;
  if (!existsSync(join(root, 'out', 'main', 'main.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    expect(spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'ignore' }).status).toBe(0);
  }
  const data = tempDir();
  try {
    const args = [root, '--profile', 'smoke-1', '--smoke-test', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
    const [cmd, cmdArgs] = xvfb ? ['xvfb-run', ['-a', electron.path, ...args]] : [electron.path, args];
    const child = spawn(cmd, cmdArgs, { cwd: root, env: { ...process.env, FIELDSYNC_DATA_ROOT: data.path, FIELDSYNC_TOKEN: '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = out.split('\n').find((l) => l.startsWith('fieldsync-smoke: '));
    expect(line, out).toBeDefined();
    const report = JSON.parse((line as string).slice('fieldsync-smoke: '.length)) as Record<string, unknown>;
    // The same report the release workflow asks of the packaged app (scripts/packaged-smoke.ts).
    expect(report).toEqual(expectedSmokeReport(productName, 'smoke-1'));
    expect(code).toBe(0);
    expect(existsSync(join(data.path, productName, 'profiles', 'smoke-1', 'fieldsync.db'))).toBe(true);
  } finally {
    data.remove();
  }
}, 120_000);
