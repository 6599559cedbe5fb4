/**
 * The keys of an options object. One that the options do not have is refused: a misspelt
 * option (`debounceMS`, `timeoutMS`, `idleTimeout`) would otherwise be ignored unseen and its
 * default used in its place, as `defineSchema` already refuses a column's misspelt option.
 */

/**
 * Why `options` has a key that `known` (an object of the known keys, which the caller types
 * as `Record<keyof TheOptions, …>` so that it lists every one) lacks, or null. It names the
 * likeliest meant one: the known key that differs only in case or by an ending (`Ms`).
 */
export function unknownOptionError(options: object, known: object): string | null {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const k = key.toLowerCase();
    const near = Object.keys(known).find((name) => k !== '' && (name.toLowerCase().startsWith(k) || k.startsWith(name.toLowerCase())));
    return `unknown option ${key.slice(0, 80)}: ${near ? `did you mean ${near}?` : `the options are ${Object.keys(known).join(', ')}`}`;
  }
  return null;
}

/**
 * True for an object that can hold options or fields: not null, and not an array, which has
 * no unknown keys, so that `[]` would pass as no options at all.
 */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `options` is not an object of only the `known` keys (see unknownOptionError), or null. */
export function optionsError(options: unknown, known: object): string | null {
  return isObject(options) ? unknownOptionError(options, known) : 'options must be an object';
}
