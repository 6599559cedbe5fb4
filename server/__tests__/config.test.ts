import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, usage } from '../config.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { formatDuration, parseDuration, parseSize } from '../units.ts';

describe('settings', () => {
  it('has a sensible default for everything', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({
      port: 8787, host: '127.0.0.1', secret: undefined, compaction: true, databaseUrl: undefined, logLevel: 'info', ...DEFAULT_LIMITS,
    });
    expect(c?.dataDir).toMatch(/\.data$/);
    expect(DEFAULT_LIMITS).toMatchObject({ bodyLimit: 4 * 1024 * 1024, maxDriftMs: 300_000 });
  });

  it('reads environment variables, and flags win over them', () => {
    const env = { PORT: '9000', FIELDSYNC_BODY_LIMIT: '1MiB', FIELDSYNC_MAX_DRIFT: '1m', FIELDSYNC_COMPACTION: 'off', HOST: '0.0.0.0' };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, bodyLimit: 1024 * 1024, maxDriftMs: 60_000, compaction: false, host: '0.0.0.0' });
    expect(loadConfig(['--port', '0', '--body-limit=2MiB', '--compaction', 'on'], env)).toMatchObject({ port: 0, bodyLimit: 2 * 1024 * 1024, compaction: true });
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadConfig([], { PORT: '', FIELDSYNC_SECRET: '' })).toMatchObject({ port: 8787, secret: undefined });
  });

  it('refuses bad values with a ConfigError naming the setting', () => {
    const bad: [string[], Record<string, string>, RegExp][] = [
      [[], { PORT: '-1' }, /^PORT must be an integer from 0 to 65535/],
      [[], { PORT: '80.5' }, /^PORT/],
      [['--heartbeat', '1h'], {}, /^--heartbeat must be from 100ms to 30s/],
      [['--max-inflight', '0'], {}, /^--max-inflight must be an integer from 1/],
      [['--body-limit', '10'], {}, /^--body-limit must be from 1024/],
      [['--body-limit', '4 parsecs'], {}, /^--body-limit must be a size/],
      [[], { FIELDSYNC_SECRET: 'x'.repeat(31) }, /^FIELDSYNC_SECRET must be at least 32 characters/],
      [['--host', ''], {}, /^--host must not be empty/],
      [['port'], {}, /^unknown option: port/],
    ];
    for (const [argv, env, message] of bad) {
      expect(() => loadConfig(argv, env)).toThrow(ConfigError);
      expect(() => loadConfig(argv, env)).toThrow(message);
    }
  });

  it('takes each bound itself, and refuses one past it', () => {
    const ok = (argv: string[]) => loadConfig(argv, {});
    expect(ok(['--port', '65535'])).toMatchObject({ port: 65535 });
    expect(() => ok(['--port', '65536'])).toThrow(/^--port must be an integer from 0 to 65535/);
    expect(ok(['--heartbeat', '100ms'])).toMatchObject({ heartbeatMs: 100 });
    expect(ok(['--heartbeat', '30s'])).toMatchObject({ heartbeatMs: 30_000 });
    expect(() => ok(['--heartbeat', '99ms'])).toThrow(/^--heartbeat must be from 100ms to 30s/);
    expect(() => ok(['--heartbeat', '30001ms'])).toThrow(/^--heartbeat must be from 100ms to 30s/);
    expect(ok(['--body-limit', '1024'])).toMatchObject({ bodyLimit: 1024 });
    expect(ok(['--body-limit', '1GiB'])).toMatchObject({ bodyLimit: 1024 ** 3 });
    expect(() => ok(['--body-limit', '1023'])).toThrow(/^--body-limit must be from 1024 to 1073741824 bytes/);
    expect(() => ok(['--body-limit', String(1024 ** 3 + 1)])).toThrow(/^--body-limit must be from 1024/);
  });

  it('reads on and off in every usual spelling, and nothing else', () => {
    for (const on of ['on', 'true', '1', 'yes', 'ON', ' Yes ']) expect(loadConfig([], { FIELDSYNC_COMPACTION: on })).toMatchObject({ compaction: true });
    for (const off of ['off', 'false', '0', 'no', 'OFF', ' False ']) expect(loadConfig([], { FIELDSYNC_COMPACTION: off })).toMatchObject({ compaction: false });
    for (const bad of ['maybe', 'enabled', '2']) expect(() => loadConfig([], { FIELDSYNC_COMPACTION: bad })).toThrow(`FIELDSYNC_COMPACTION must be on or off, got "${bad}"`);
    expect(loadConfig([], {})).toMatchObject({ pullThread: true });
    expect(loadConfig([], { FIELDSYNC_PULL_THREAD: 'off' })).toMatchObject({ pullThread: false });
    expect(loadConfig(['--pull-thread', 'on'], { FIELDSYNC_PULL_THREAD: 'off' })).toMatchObject({ pullThread: true });
    expect(() => loadConfig(['--pull-thread', 'sometimes'], {})).toThrow('--pull-thread must be on or off, got "sometimes"');
  });

  it('reads --trust-proxy as addresses and CIDR ranges, none by default, and refuses anything else', () => {
    expect(loadConfig([], {})).toMatchObject({ trustProxy: undefined });
    expect(loadConfig(['--trust-proxy', '127.0.0.1'], {})).toMatchObject({ trustProxy: ['127.0.0.1'] });
    expect(loadConfig([], { FIELDSYNC_TRUST_PROXY: ' 10.0.0.0/8, ::1 ,FD00::/8,192.168.1.7/32,10.0.0.0/8' }))
      .toMatchObject({ trustProxy: ['10.0.0.0/8', '::1', 'fd00::/8', '192.168.1.7/32'] });
    expect(loadConfig(['--trust-proxy=::ffff:127.0.0.1'], { FIELDSYNC_TRUST_PROXY: 'nonsense' })).toMatchObject({ trustProxy: ['::ffff:127.0.0.1'] });
    const bad: [string, RegExp][] = [
      ['localhost', /^--trust-proxy: "localhost" is not an IP address or a CIDR range; give IP addresses or CIDR ranges separated by commas/],
      ['10.0.0.0/33', /^--trust-proxy: "10.0.0.0\/33" has a prefix length that is not a number from 0 to 32/],
      ['::1/129', /^--trust-proxy: "::1\/129" has a prefix length that is not a number from 0 to 128/],
      ['10.0.0.0/', /prefix length/],
      ['10.0.0.0/8/8', /is not an IP address/],
      ['10.0.0.0/-1', /prefix length/],
      ['256.0.0.1', /"256.0.0.1" is not an IP address/],
      ['fe80::1%eth0', /is not an IP address/],
      ['127.0.0.1,', /^--trust-proxy has an empty entry/],
      ['', /^--trust-proxy has an empty entry/],
      ['true', /"true" is not an IP address/],
    ];
    for (const [value, message] of bad) {
      expect(() => loadConfig(['--trust-proxy', value], {}), value).toThrow(ConfigError);
      expect(() => loadConfig(['--trust-proxy', value], {}), value).toThrow(message);
    }
    expect(() => loadConfig([], { FIELDSYNC_TRUST_PROXY: '*' })).toThrow(/^FIELDSYNC_TRUST_PROXY: "\*" is not an IP address/);
  });

  it('returns null for --help, and the usage names every variable', () => {
    expect(loadConfig(['--help'], {})).toBeNull();
    for (const name of ['PORT', 'HOST', 'FIELDSYNC_DATA_DIR', 'FIELDSYNC_SECRET', 'FIELDSYNC_BODY_LIMIT', 'FIELDSYNC_MAX_DRIFT', 'FIELDSYNC_DATABASE_URL', 'FIELDSYNC_COMPACTION', 'FIELDSYNC_TRUST_PROXY']) {
      expect(usage()).toContain(name);
    }
  });
});

describe('units', () => {
  it('parses durations with a unit', () => {
    expect([parseDuration('30d'), parseDuration('12h'), parseDuration('15m'), parseDuration('3600s'), parseDuration('500ms'), parseDuration('1.5h')])
      .toEqual([2_592_000_000, 43_200_000, 900_000, 3_600_000, 500, 5_400_000]);
    for (const bad of ['30', '', 'd', '-1d', '1 week', '1e3s', '5x', '99999999999999999999d']) expect(parseDuration(bad)).toBeNull();
    expect([formatDuration(300_000), formatDuration(1500), formatDuration(86_400_000)]).toEqual(['5m', '1500ms', '1d']);
  });

  it('parses sizes', () => {
    expect([parseSize('1048576'), parseSize('4MiB'), parseSize('512k'), parseSize('1MB'), parseSize('2 GiB')])
      .toEqual([1_048_576, 4_194_304, 524_288, 1_000_000, 2 * 1024 ** 3]);
    for (const bad of ['', 'MiB', '-1', '4 parsecs', '1e6', '99999999999999999999GiB']) expect(parseSize(bad)).toBeNull();
  });
});
