/**
 * The one rule for what user text may contain (docs/security.md, "User text"). The same
 * function decides both when text is written (`checkText` in input-rules.ts refuses it) and
 * when text is shown (the renderer's `display-text.ts` shows each such character as a
 * visible escape instead of applying it). Text that arrives by sync is never rewritten: it
 * was written by another device, an older app or a hostile one, and the stored value stays
 * what the server sent, so every device still converges on the same value.
 *
 * Refused, in every text column of the app schema:
 * - control characters (Unicode's Cc: U+0000–U+001F, U+007F–U+009F) and the line and
 *   paragraph separators U+2028, U+2029; a `multiline` column allows line feed and tab;
 * - the invisible characters that change the direction of text (Unicode's Bidi_Control:
 *   U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make text read
 *   differently from what it is ("Trojan Source"). Right-to-left text itself is fine: the
 *   renderer isolates every piece of user text, so it needs no marks to display well;
 * - lone surrogates (text that is not well-formed Unicode).
 * Joiners (U+200C, U+200D), variation selectors and emoji tags are allowed: scripts and emoji
 * need them, and they cannot reorder text.
 */

/** Why a character may not be in user text. */
export type ForbiddenKind = 'control' | 'direction' | 'broken';

export interface ForbiddenChar {
  /** Where it is, in UTF-16 code units. */
  readonly index: number;
  readonly codePoint: number;
  readonly kind: ForbiddenKind;
}

// Anything the rule could refuse; a quick test before looking at each character.
const SUSPECT = /[\p{Cc}\u2028\u2029\p{Bidi_Control}\p{Cs}]/u;
const CONTROL = /^[\p{Cc}\u2028\u2029]$/u;
const DIRECTION = /^\p{Bidi_Control}$/u;

/** Whether one character (a code point) may be in user text: null when it may. */
export function forbiddenKind(codePoint: number, multiline: boolean): ForbiddenKind | null {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'broken';
  if (multiline && (codePoint === 0x09 || codePoint === 0x0a)) return null;
  const ch = String.fromCodePoint(codePoint);
  if (CONTROL.test(ch)) return 'control';
  if (DIRECTION.test(ch)) return 'direction';
  return null;
}

/** The first character of `text` that the rule refuses, or null. */
export function findForbidden(text: string, multiline: boolean): ForbiddenChar | null {
  if (!SUSPECT.test(text)) return null;
  let index = 0;
  for (const ch of text) {
    const codePoint = ch.codePointAt(0) as number;
    const kind = forbiddenKind(codePoint, multiline);
    if (kind !== null) return { index, codePoint, kind };
    index += ch.length;
  }
  return null;
}

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'null',
  0x09: 'tab',
  0x0a: 'line feed',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
  0x85: 'next line',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x061c: 'Arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
};

/** "U+202E" */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** "U+202E (right-to-left override)": how messages and tooltips name a refused character. */
export function describeChar(codePoint: number): string {
  const name = NAMES[codePoint] ?? (codePoint >= 0xd800 && codePoint <= 0xdfff ? 'half of a broken character' : 'control character');
  return `${codePointLabel(codePoint)} (${name})`;
}
