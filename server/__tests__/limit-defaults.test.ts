/**
 * limits.ts (round 64, from its first mutation run): the defaults the README promises
 * operators, the parse workers a machine gets by its cores, and the start-up warning for a
 * body limit under one full message's request. config.test.ts checks that every setting has
 * a default; these check what the defaults are.
 */
import type * as Os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BODY_LIMIT_BYTES } from 'fieldsync/server';
import { DEFAULT_LIMITS, LARGE_BODY_BYTES, MIN_BODY_BYTES_PER_SECOND, ONE_MESSAGE_REQUEST_BYTES, bodyLimitWarning } from '../limits.ts';

afterEach(() => {
  vi.doUnmock('node:os');
  vi.resetModules();
});

describe('the documented limits', () => {
  it('are the README\'s: 32 KiB/s after the body timeout, large bodies from 64 KiB, 16 bodies in flight', () => {
    // README, `--body-timeout`: "after this long it must have averaged 32 KiB/s".
    expect(MIN_BODY_BYTES_PER_SECOND).toBe(32 * 1024);
    // README, `--max-inflight-bytes` and `--parse-workers`: "large bodies (64 KiB and more)".
    expect(LARGE_BODY_BYTES).toBe(64 * 1024);
    // README, `--max-inflight-bytes`: 64MiB, sixteen bodies of the default 4 MiB limit.
    expect(DEFAULT_LIMITS.maxInflightBytes).toBe(16 * DEFAULT_BODY_LIMIT_BYTES);
    expect(DEFAULT_LIMITS.maxInflightBytes).toBe(64 * 1024 * 1024);
  });

  it('give a machine one parse worker per core but one, at least 1 and at most 8', async () => {
    const workers = async (cores: number): Promise<number> => {
      vi.resetModules();
      vi.doMock('node:os', async (original) => ({ ...(await original<typeof Os>()), availableParallelism: () => cores }));
      const fresh = await import('../limits.ts');
      return fresh.DEFAULT_LIMITS.parseWorkers;
    };
    expect(await workers(1)).toBe(1);
    expect(await workers(2)).toBe(1);
    expect(await workers(3)).toBe(2);
    expect(await workers(4)).toBe(3);
    expect(await workers(9)).toBe(8);
    expect(await workers(64)).toBe(8);
  });
});

describe('bodyLimitWarning', () => {
  it('is silent from one full message\'s request (68 KiB) up, the default included', () => {
    expect(ONE_MESSAGE_REQUEST_BYTES).toBe(68 * 1024);
    expect(bodyLimitWarning(68 * 1024)).toBeNull();
    expect(bodyLimitWarning(68 * 1024 + 1)).toBeNull();
    expect(bodyLimitWarning(DEFAULT_BODY_LIMIT_BYTES)).toBeNull();
  });

  it('names both sizes and what happens to such messages below it', () => {
    const w = bodyLimitWarning(68 * 1024 - 1);
    expect(w).toBe(
      `--body-limit is ${68 * 1024 - 1} bytes, under the ${68 * 1024} a request with one message of the protocol's largest value needs: ` +
        'messages with values near 64 KiB will be refused (413), and every device sets them aside; they never sync',
    );
    expect(bodyLimitWarning(1024)).toMatch(/^--body-limit is 1024 bytes, under the 69632 /);
  });
});
