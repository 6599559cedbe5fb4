/**
 * How guessable a token secret is. Anyone holding one token can try secrets offline at
 * billions per second, so a secret must be unguessable, not merely long: 32 spaces or
 * `aaaa…` pass a length check and fall to the first guess.
 *
 * The estimate is deliberately simple and conservative, a small cousin of what compressors
 * and password meters do: each character costs the bits of the alphabet the secret draws
 * from, except characters that a guesser would predict for free:
 *
 * - a run or a sequence: the next character repeats the last step (`aaaa`, `abcd`, `9876`),
 *   or walks on along a keyboard row (`qwerty`, `asdf`, `!@#$`);
 * - a repeat: the text from here on copies earlier text (`passwordpassword`), which costs
 *   only the few bits needed to say where the copy starts.
 *
 * A random 32-character secret scores well above the bar whatever its alphabet (hex: ~165
 * bits, base64: ~210); patterns score far below it. It knows no dictionary: a long phrase
 * of words passes, and the message says to prefer a generated secret.
 */

/** The least estimated strength accepted, in bits: far beyond any offline search. */
export const MIN_SECRET_BITS = 100;

/** Keyboard rows (US layout), walked either way. */
const KEYBOARD_ROWS = ['`1234567890-=', 'qwertyuiop[]\\', "asdfghjkl;'", 'zxcvbnm,./', '~!@#$%^&*()_+'];

/** Whether c follows a and b along a keyboard row, in the same direction. */
function walksOn(a: string, b: string, c: string): boolean {
  const key = (a + b + c).toLowerCase();
  return KEYBOARD_ROWS.some((row) => row.includes(key) || [...row].reverse().join('').includes(key));
}

/** The number of distinct characters a guesser would try, from the classes the secret uses. */
function alphabetSize(s: string): number {
  let size = 0;
  if (/[a-z]/.test(s)) size += 26;
  if (/[A-Z]/.test(s)) size += 26;
  if (/[0-9]/.test(s)) size += 10;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(s)) size += 33; // ASCII punctuation and space
  if (/[^\x20-\x7e]/.test(s)) size += 100; // anything else: a generous guess
  return Math.max(size, 2);
}

/** Length of the longest earlier copy of the text starting at `i` (overlapping allowed). */
function longestCopy(cp: readonly number[], i: number): number {
  let best = 0;
  for (let start = 0; start < i; start++) {
    let n = 0;
    while (i + n < cp.length && cp[start + n] === cp[i + n]) n++;
    if (n > best) best = n;
  }
  return best;
}

/** An estimate of the secret's strength in bits (see above). */
export function estimateSecretBits(secret: string): number {
  const cp = Array.from(secret, (c) => c.codePointAt(0) as number);
  const perChar = Math.log2(alphabetSize(secret));
  let bits = 0;
  for (let i = 0; i < cp.length; ) {
    // A step that repeats the previous one (same character, or +1/-1 again), or a walk
    // along a keyboard row, is predicted.
    if (i >= 2) {
      const step = (cp[i] as number) - (cp[i - 1] as number);
      const walk = walksOn(String.fromCodePoint(cp[i - 2] as number), String.fromCodePoint(cp[i - 1] as number), String.fromCodePoint(cp[i] as number));
      if (walk || (Math.abs(step) <= 1 && step === (cp[i - 1] as number) - (cp[i - 2] as number))) {
        i++;
        continue;
      }
    }
    const copy = longestCopy(cp, i);
    if (copy >= 3) {
      bits += Math.log2(i) + Math.log2(copy); // where the copy starts and how long it is
      i += copy;
      continue;
    }
    bits += perChar;
    i++;
  }
  return bits;
}

/** A clear reason why `secret` is too weak to sign tokens with, or null when it is strong enough. */
export function secretWeakness(secret: string): string | null {
  const bits = estimateSecretBits(secret);
  if (bits >= MIN_SECRET_BITS) return null;
  return `is too predictable (about ${Math.floor(bits)} bits of entropy, at least ${MIN_SECRET_BITS} needed): ` +
    'use a random one, such as the output of `openssl rand -base64 32`, or leave it unset and the server generates one';
}
