/**
 * A misspelt environment variable is not an error of its value, and the server never saw it:
 * `FIELDSYNC_DATABSE_URL=postgres://…` started a server on SQLite in ./.data, with no word
 * about the database it was given, and `FIELDSYNC_PORT=8801` (every other setting has the
 * prefix, the port does not) listened on 8787. So a `FIELDSYNC_` variable that is no setting
 * but is within two edits of one (or is one with the prefix added) is refused, naming the
 * setting meant. Only near misses: the project's other `FIELDSYNC_` variables (the app's,
 * the tests') are in the same environment, and stay far from every setting's name.
 */

const PREFIX = 'FIELDSYNC_';
const MAX_EDITS = 2;

/** Levenshtein distance, stopping early once it is past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The first variable of `env` that looks like a misspelling of one of `names` (the settings'
 * variables), with the one it most likely meant; null when there is none.
 */
export function misspeltVariable(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): { readonly given: string; readonly meant: string } | null {
  const known = new Set(names);
  for (const given of Object.keys(env).sort()) {
    const upper = given.toUpperCase();
    if (!upper.startsWith(PREFIX) || known.has(given) || env[given] === undefined) continue;
    let best: { meant: string; edits: number } | null = null;
    for (const name of names) {
      // PORT and HOST carry no prefix; FIELDSYNC_PORT is the likely guess for them.
      const spelt = name.startsWith(PREFIX) ? name : PREFIX + name;
      const edits = editDistance(upper, spelt, MAX_EDITS);
      if (edits <= MAX_EDITS && (best === null || edits < best.edits)) best = { meant: name, edits };
    }
    if (best !== null) return { given, meant: best.meant };
  }
  return null;
}
