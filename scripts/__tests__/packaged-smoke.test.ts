/**
 * scripts/packaged-smoke.ts, the release workflow's start of the packaged app, run against a
 * stand-in executable (a shell script that answers like the app's --smoke-test mode, or gets
 * it wrong in one way): it passes only on the app's exact report, exit code 0 and a created
 * profile database. The real app's report is checked by electron-smoke.test.ts where
 * Electron runs, against the same expectedSmokeReport.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/temp-dir.ts';
import { SMOKE_PROFILE, SmokeTestError, expectedSmokeReport, packagedExecutable } from '../lib/packaged-smoke.ts';

const root = join(import.meta.dirname, '..', '..');
const { productName } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string };
const good = expectedSmokeReport(productName, SMOKE_PROFILE);
const dir = tempDir();
afterAll(() => dir.remove());

let count = 0;
/** A stand-in app: checks it was started as the app would be, then prints `lines` and exits. */
function standIn(o: { lines: string[]; code?: number; createDb?: boolean; sleep?: number }): string {
  const file = join(dir.path, `app-${++count}`);
  const db = `"$FIELDSYNC_DATA_ROOT/${productName}/profiles/${SMOKE_PROFILE}"`;
  writeFileSync(file, [
    '#!/bin/sh',
    `[ "$1 $2 $3" = "--profile ${SMOKE_PROFILE} --smoke-test" ] || { echo "started with: $*" >&2; exit 3; }`,
    '[ -d "$FIELDSYNC_DATA_ROOT" ] || { echo "no FIELDSYNC_DATA_ROOT" >&2; exit 4; }',
    '[ -z "${FIELDSYNC_SERVER_URL+x}" ] || { echo "FIELDSYNC_SERVER_URL set" >&2; exit 5; }',
    o.sleep ? `sleep ${o.sleep}` : '',
    o.createDb === false ? '' : `mkdir -p ${db} && : > ${db}/fieldsync.db`,
    'echo "[12:00:00] some Chromium noise" >&2',
    ...o.lines.map((l) => `printf '%s\\n' '${l.replaceAll("'", "'\\''")}'`),
    `exit ${o.code ?? 0}`,
  ].join('\n'));
  chmodSync(file, 0o755);
  return file;
}

const smoke = (executable: string, ...extra: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'packaged-smoke.ts'), executable, ...extra], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FIELDSYNC_SERVER_URL: 'http://127.0.0.1:1' },
    timeout: 60_000,
  });
const line = (report: unknown) => `fieldsync-smoke: ${JSON.stringify(report)}`;

describe.skipIf(process.platform === 'win32')('node scripts/packaged-smoke.ts, against a stand-in app', () => {
  it('passes on the app’s report, exit code 0 and a created database', () => {
    const r = smoke(standIn({ lines: ['fieldsync: warning: something', line(good)] }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('packaged app smoke test passed');
    expect(r.status).toBe(0);
  });

  it.each([
    ['no report line', { lines: ['fieldsync: could not start'], code: 1 }, /printed no "fieldsync-smoke:" line \(exit code 1/],
    ['the app’s own start-up failure', { lines: ['fieldsync-smoke: failed Error: boom'], code: 1 }, /could not start: Error: boom/],
    ['a report that is not JSON', { lines: ['fieldsync-smoke: {oops'] }, /is not JSON/],
    ['a method missing from window.fieldsync', { lines: [line({ ...good, page: { ...good.page, methods: good.page.methods.filter((m) => m !== 'subscribe') } })] }, /reported/],
    ['Node reachable from the page', { lines: [line({ ...good, page: { ...good.page, require: 'function' } })] }, /reported/],
    ['an AppError that lost its code', { lines: [line({ ...good, page: { ...good.page, notFound: 'internal' } })] }, /reported/],
    ['another profile in the title', { lines: [line({ ...good, title: `${productName} — default` })] }, /reported/],
    ['a non-zero exit code', { lines: [line(good)], code: 1 }, /exited with code 1/],
    ['no database created', { lines: [line(good)], createDb: false }, /created no database/],
  ] as const)('fails on %s', (_name, o, message) => {
    const r = smoke(standIn({ ...o, lines: [...o.lines] }));
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/packaged app smoke test failed/);
    expect(r.stderr).toMatch(message);
  });

  it('fails, and stops the app, when it does not exit in time', () => {
    const started = Date.now();
    const r = smoke(standIn({ lines: [line(good)], sleep: 30 }), '--timeout-seconds', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/did not exit within 1 s/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails on a missing executable, and without arguments', () => {
    expect(smoke(join(dir.path, 'no-such-app')).status).toBe(1);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'packaged-smoke.ts')], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage:/);
  });
});

describe('packagedExecutable', () => {
  const names = { productName: 'Fieldsync', executableName: 'fieldsync' };
  const dist = (files: string[]) => {
    const d = join(dir.path, `dist-${++count}`);
    for (const f of files) {
      mkdirSync(join(d, f, '..'), { recursive: true });
      writeFileSync(join(d, f), '');
    }
    return d;
  };

  it('finds electron-builder’s unpacked app of each platform, for any architecture', () => {
    expect(packagedExecutable(dist(['linux-unpacked/fieldsync', 'Fieldsync-0.1.0.AppImage']), 'linux', names)).toMatch(/linux-unpacked[/\\]fieldsync$/);
    expect(packagedExecutable(dist(['mac-arm64/Fieldsync.app/Contents/MacOS/Fieldsync']), 'darwin', names)).toMatch(/mac-arm64[/\\]Fieldsync\.app[/\\]Contents[/\\]MacOS[/\\]Fieldsync$/);
    expect(packagedExecutable(dist(['mac/Fieldsync.app/Contents/MacOS/Fieldsync']), 'darwin', names)).toMatch(/mac[/\\]Fieldsync\.app/);
    expect(packagedExecutable(dist(['win-unpacked/Fieldsync.exe']), 'win32', names)).toMatch(/win-unpacked[/\\]Fieldsync\.exe$/);
  });

  it('refuses when there is none, or more than one', () => {
    expect(() => packagedExecutable(dist(['linux-unpacked/other']), 'linux', names)).toThrow(SmokeTestError);
    expect(() => packagedExecutable(dist(['mac/Fieldsync.app/Contents/MacOS/Fieldsync', 'mac-arm64/Fieldsync.app/Contents/MacOS/Fieldsync']), 'darwin', names)).toThrow(/found .*, /);
    expect(() => packagedExecutable(join(dir.path, 'missing'), 'win32', names)).toThrow(/found none/);
  });
});
