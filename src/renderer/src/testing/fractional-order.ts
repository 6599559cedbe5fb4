/**
 * Fractional order keys, as the real app core uses: a key sorts between its neighbours by
 * plain string comparison, so moving one item writes one cell instead of renumbering all.
 * Keys are base-36 fractions without trailing zeros ("i" is 0.5).
 */
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

function digit(s: string, i: number): number {
  return DIGITS.indexOf(s[i] ?? '0');
}

/** A key strictly between `a` and `b` ('' is the lowest bound, null the highest). */
export function keyBetween(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? '0') === b[n]) n++;
    if (n > 0) return b.slice(0, n) + keyBetween(a.slice(n), b.slice(n));
  }
  const low = a ? digit(a, 0) : 0;
  const high = b !== null ? digit(b, 0) : DIGITS.length;
  if (high - low > 1) return DIGITS[Math.round((low + high) / 2)] as string;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return (DIGITS[low] as string) + keyBetween(a.slice(1), null);
}
