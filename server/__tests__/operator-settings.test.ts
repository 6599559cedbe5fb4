/**
 * Settings as an operator gives them: a misspelt variable name and a malformed database URL
 * each stop the server with one line naming the setting and exit code 2 (the first used to
 * be ignored, the server starting on its defaults; the second failed only when the store
 * opened, with exit code 1 and "Invalid URL"). And the README's table of settings lists
 * exactly the settings there are (it had lost --cors-origins).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runScript } from '../../test-support/child-server.ts';
import { ConfigError, loadConfig, SETTING_NAMES } from '../config.ts';
import { misspeltVariable } from '../env-names.ts';

const SECRET = 'Zq3vR8kLw2Xn7Tp4Hs9Jd6Fb1Mc5Gy0Ue';
const ENV_NAMES = SETTING_NAMES.map((s) => s.env);

describe('a misspelt environment variable', () => {
  it('is refused, naming the setting meant', () => {
    const cases: [string, string][] = [
      ['FIELDSYNC_DATABSE_URL', 'FIELDSYNC_DATABASE_URL'],
      ['FIELDSYNC_SECERT', 'FIELDSYNC_SECRET'],
      ['FIELDSYNC_DATADIR', 'FIELDSYNC_DATA_DIR'],
      ['fieldsync_compaction', 'FIELDSYNC_COMPACTION'],
      ['FIELDSYNC_PORT', 'PORT'],
      ['FIELDSYNC_HOST', 'HOST'],
      ['FIELDSYNC_MAX_STREAM_PER_USER', 'FIELDSYNC_MAX_STREAMS_PER_USER'],
    ];
    for (const [given, meant] of cases) {
      expect(misspeltVariable({ [given]: 'x' }, ENV_NAMES)).toEqual({ given, meant });
      expect(() => loadConfig([], { [given]: 'x' })).toThrow(ConfigError);
      expect(() => loadConfig([], { [given]: 'x' })).toThrow(`${given} is not a setting: did you mean ${meant}? (see --help)`);
    }
  });

  it('leaves the settings themselves, the project\'s other variables and --help alone', () => {
    const others = [
      'FIELDSYNC_TOKEN', 'FIELDSYNC_SEED', 'FIELDSYNC_SERVER_URL', 'FIELDSYNC_RUNS', 'FIELDSYNC_DATA_ROOT', 'FIELDSYNC_WEB_DIR',
      'FIELDSYNC_REQUIRE_ELECTRON', 'FIELDSYNC_RENDERER_DIR', 'FIELDSYNC_ELECTRON_DIR', 'FIELDSYNC_UPDATE_SCREENSHOT',
      'FIELDSYNC_TEST_DATABASE_URL', 'FIELDSYNC_BENCH_DATABASE_URL', 'FIELDSYNC_VITEST_ERRORS', 'FIELDSYNC_HOST_KEY',
      'FIELDSYNC_FAKE_NODE_VERSION', 'FIELDSYNC_NO_OPEN', 'FIELDSYNC_TEST_VERBOSE', 'FIELDSYNC_BENCH_BATCHES',
    ];
    const env = Object.fromEntries([...ENV_NAMES, ...others].map((name) => [name, '']));
    expect(misspeltVariable(env, ENV_NAMES)).toBeNull();
    expect(loadConfig([], { ...Object.fromEntries(others.map((n) => [n, 'x'])), PORT: '0' })).toMatchObject({ port: 0 });
    expect(loadConfig(['--help'], { FIELDSYNC_SECERT: 'x' })).toBeNull();
  });

  it('stops the server with one line and exit code 2, and the token command too', () => {
    const server = runScript('main.ts', [], { FIELDSYNC_DATABSE_URL: 'postgres://u:pw@127.0.0.1:1/db', FIELDSYNC_SECRET: SECRET });
    expect(server.status).toBe(2);
    expect(server.stderr).toBe('fieldsync: FIELDSYNC_DATABSE_URL is not a setting: did you mean FIELDSYNC_DATABASE_URL? (see --help)\n');
    expect(server.stdout).toBe('');
    const token = runScript('token-cli.ts', ['alice'], { FIELDSYNC_SECERT: SECRET });
    expect(token.status).toBe(2);
    expect(token.stderr.split('\n')[0]).toBe('fieldsync token: FIELDSYNC_SECERT is not a setting: did you mean FIELDSYNC_SECRET? (see --help)');
  });
});

describe('a malformed database URL', () => {
  it('is a ConfigError naming the setting, never echoing the URL (it holds a password)', () => {
    for (const url of ['postgres://u:p@w@[bad/db', 'postgres://u:pw@127.0.0.1:notaport/db', 'postgres://u:pw@h:99999/db']) {
      expect(() => loadConfig([], { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_SECRET: SECRET })).toThrow(/^FIELDSYNC_DATABASE_URL is not a valid URL: write it as postgres:\/\/user:password@host:port\/database/);
      // As a flag it is refused before it is read: it holds a password (secret-flag.test.ts).
      expect(() => loadConfig(['--database-url', url], { FIELDSYNC_SECRET: SECRET })).toThrow(/^--database-url holds a password/);
      try {
        loadConfig([], { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_SECRET: SECRET });
      } catch (err) {
        expect((err as Error).message).not.toContain('pw');
      }
    }
  });

  it('takes what node-postgres takes: a host, a socket folder as a parameter, an encoded socket path', () => {
    for (const url of ['postgres://u:p%40ss@db.internal:5432/fieldsync?sslmode=require', 'postgres://u@/db?host=/var/run/postgresql', 'postgresql://%2Fvar%2Frun%2Fpostgresql/db', 'postgres:///db?host=/tmp']) {
      expect(loadConfig([], { FIELDSYNC_DATABASE_URL: url, FIELDSYNC_SECRET: SECRET })).toMatchObject({ databaseUrl: url });
    }
  });

  it('stops the server with exit code 2 before it opens anything', () => {
    const r = runScript('main.ts', [], { FIELDSYNC_DATABASE_URL: 'postgres://u:pw@127.0.0.1:notaport/db', FIELDSYNC_SECRET: SECRET });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fieldsync: FIELDSYNC_DATABASE_URL is not a valid URL: [^\n]*\n$/);
  });
});

describe("the README's table of settings", () => {
  it('lists every flag with its variable, and nothing else', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Settings'), readme.indexOf('## Scale out on PostgreSQL'));
    const byFlag = (a: { flag: string }, b: { flag: string }): number => a.flag.localeCompare(b.flag);
    const rows = [...section.matchAll(/^\| `(--[a-z-]+)` \| `([A-Z_]+)` \|/gm)].map((m) => ({ flag: m[1] as string, env: m[2] as string }));
    expect(rows.sort(byFlag)).toEqual(SETTING_NAMES.map(({ flag, env }) => ({ flag, env })).sort(byFlag));
  });
});
