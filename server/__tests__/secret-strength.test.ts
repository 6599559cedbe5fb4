/**
 * Issue 11 item 5: a secret that is long enough but guessable is refused with a clear
 * message, from the setting and from the data dir's secret file; an unset secret is still
 * generated (256 random bits, kept with mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { loadSecret, SECRET_FILE } from '../secret.ts';
import { estimateSecretBits, MIN_SECRET_BITS, secretWeakness } from '../secret-strength.ts';
import { tempDir } from './helpers/temp-dir.ts';

const WEAK = [
  ['32 spaces', ' '.repeat(32)],
  ['32 × a', 'a'.repeat(32)],
  ['the alphabet', 'abcdefghijklmnopqrstuvwxyz012345'],
  ['digits counting', '0123456789'.repeat(4)],
  ['digits counting down', '9876543210'.repeat(4)],
  ['a short word repeated', 'abc'.repeat(11)],
  ['a password repeated', 'Password1'.repeat(4)],
  ['keyboard rows', 'qwertyuiopasdfghjklzxcvbnm123456'],
  ['shifted digits repeated', '!@#$%^&*()'.repeat(4)],
] as const;

describe('secret strength', () => {
  it.each(WEAK)('refuses %s', (_name, secret) => {
    expect(estimateSecretBits(secret)).toBeLessThan(MIN_SECRET_BITS);
    expect(secretWeakness(secret)).toMatch(/^is too predictable \(about \d+ bits of entropy, at least 100 needed\): use a random one/);
    expect(() => loadConfig([], { FIELDSYNC_SECRET: secret })).toThrow(/^FIELDSYNC_SECRET is too predictable/);
  });

  it('prices each character by the classes the secret draws from, and predicted ones at nothing', () => {
    const bits = (n: number, alphabet: number): number => n * Math.log2(alphabet);
    // No run, sequence, copy or keyboard walk in these: every character costs its alphabet.
    expect(estimateSecretBits('qzmx')).toBeCloseTo(bits(4, 26));
    expect(estimateSecretBits('qZmX')).toBeCloseTo(bits(4, 52));
    expect(estimateSecretBits('q7m3')).toBeCloseTo(bits(4, 36));
    expect(estimateSecretBits('q!m?')).toBeCloseTo(bits(4, 59));
    expect(estimateSecretBits('qém')).toBeCloseTo(bits(3, 126));
    expect(estimateSecretBits('aceg')).toBeCloseTo(bits(4, 26)); // a step of 2 is no sequence
    // Predicted: a repeated step of -1, 0 or +1 from the third character, and a keyboard walk either way.
    expect(estimateSecretBits('aaa')).toBeCloseTo(bits(2, 26));
    expect(estimateSecretBits('abcd')).toBeCloseTo(bits(2, 26));
    expect(estimateSecretBits('dcba')).toBeCloseTo(bits(2, 26));
    expect(estimateSecretBits('poiu')).toBeCloseTo(bits(2, 26)); // qwerty's row, backwards
    // Every row of the keyboard (where no step of 1 would predict it): digits, home, bottom, shifted digits.
    expect(estimateSecretBits('90-=')).toBeCloseTo(bits(2, 43));
    expect(estimateSecretBits('lkjh')).toBeCloseTo(bits(2, 26));
    expect(estimateSecretBits('zxcv')).toBeCloseTo(bits(2, 26));
    expect(estimateSecretBits('#$%^')).toBeCloseTo(bits(2, 33));
    // A copy of 3 or more costs where it starts and how long it is; a copy of 2 is just text.
    expect(estimateSecretBits('qzmqzm')).toBeCloseTo(bits(3, 26) + Math.log2(3) + Math.log2(3));
    expect(estimateSecretBits('qzmqzx')).toBeCloseTo(bits(6, 26));
    // Anything beyond printable ASCII (here control characters) is a generous class of 100.
    expect(estimateSecretBits('\u0001\u0003\u0007')).toBeCloseTo(bits(3, 100));
  });

  it('accepts random secrets in every common form, every time', () => {
    for (let i = 0; i < 2000; i++) {
      for (const secret of [randomBytes(16).toString('hex'), randomBytes(24).toString('base64'), randomBytes(32).toString('base64url'), crypto.randomUUID()]) {
        expect(secretWeakness(secret), secret).toBeNull();
      }
    }
  });

  it('accepts the long phrases the tests and examples use', () => {
    for (const secret of ['test-secret-that-is-long-enough-0123456789', 'fieldsync-e2e-secret-not-for-production-0123456789']) {
      expect(loadConfig([], { FIELDSYNC_SECRET: secret })?.secret).toBe(secret);
    }
  });

  it('refuses a weak secret file in the data dir, and still generates a strong one when there is none', () => {
    const dir = tempDir();
    try {
      const generated = loadSecret(dir.path, undefined);
      expect(Buffer.from(generated, 'base64url')).toHaveLength(32);
      expect(statSync(join(dir.path, SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(loadSecret(dir.path, undefined)).toBe(generated);

      writeFileSync(join(dir.path, SECRET_FILE), `${'a'.repeat(40)}\n`);
      expect(() => loadSecret(dir.path, undefined)).toThrow(ConfigError);
      expect(() => loadSecret(dir.path, undefined)).toThrow(/token-secret is too predictable .* remove the file to generate a new one/);
      expect(readFileSync(join(dir.path, SECRET_FILE), 'utf8')).toBe(`${'a'.repeat(40)}\n`); // never overwritten
    } finally {
      dir.remove();
    }
  });
});
