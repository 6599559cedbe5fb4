/**
 * What the app accepts as user text. The renderer checks it to show a message at once; the
 * core checks it again, because the renderer is not trusted. Each text column of the app
 * schema names its label and its length (`text({ label: 'Title', max: 500 })`). Which
 * characters are allowed is text-rule.ts's one rule, which the renderer also applies to
 * text that arrives by sync when it shows it.
 */
import { describeChar, findForbidden } from './text-rule.ts';

export type TextCheck = { ok: true; value: string } | { ok: false; message: string };

export interface TextRule {
  /** How the message names the text: "Title can't be empty." */
  readonly label: string;
  /** The most characters (code points). */
  readonly max: number;
  /** Empty text is allowed. */
  readonly optional?: boolean;
  /** Line breaks and tabs are allowed (a note's body); the text is kept as typed. */
  readonly multiline?: boolean;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Limits count code points, which bound what is stored whatever the text; but a reader counts
 * what they see: 15 family emoji are 15 characters to the eye and 105 code points. When the
 * two differ, the message says why, so that "105 characters" does not read as a mistake.
 */
const SEVERAL = ' Emoji and some accented letters count as several characters.';

function fewerShown(value: string, codePointCount: number, max: number): boolean {
  // Far past the limit, the count says enough, and segmenting megabytes would cost the core.
  if (value.length > max * 16) return false;
  let shown = 0;
  for (const _ of new Intl.Segmenter().segment(value)) if (++shown >= codePointCount) return false;
  return true;
}

/** The message for text that breaks the character rule, or null. */
function characterProblem(value: string, rule: TextRule): string | null {
  const found = findForbidden(value, rule.multiline ?? false);
  if (found === null) return null;
  const what = rule.label;
  switch (found.kind) {
    case 'broken':
      return `${what} contains broken characters.`;
    case 'direction':
      return `${what} can't contain ${describeChar(found.codePoint)}, an invisible character that changes the direction of text.`;
    case 'control':
      return rule.multiline ? `${what} can't contain control characters.` : `${what} can't contain control characters such as line breaks or tabs.`;
  }
}

/**
 * Text that shows as nothing: spaces, and characters that have no glyph (zero-width spaces
 * and joiners, the soft hyphen, the BOM, Hangul fillers: Unicode's Default_Ignorable_Code_Point)
 * or a blank one (the Braille blank). Allowed inside text (scripts and emoji need the joiners),
 * but a title made only of them is an empty row in the list.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

/**
 * Checks a title or a name. Returns the text to store, or a message for the user. A
 * single-line text loses its leading and trailing spaces; nothing else is changed silently.
 */
export function checkText(input: unknown, rule: TextRule): TextCheck {
  const what = rule.label;
  if (typeof input !== 'string') return { ok: false, message: `${what} must be text.` };
  const value = rule.multiline ? input : input.trim();
  if (value.trim().length === 0 && !rule.optional) return { ok: false, message: `${what} can't be empty.` };
  if (!rule.optional && INVISIBLE_ONLY.test(value)) return { ok: false, message: `${what} can't be only invisible characters.` };
  const problem = characterProblem(value, rule);
  if (problem !== null) return { ok: false, message: problem };
  const n = value.length > rule.max ? codePoints(value) : value.length;
  if (n > rule.max) return { ok: false, message: `${what} is too long: ${n} characters, at most ${rule.max}.${fewerShown(value, n, rule.max) ? SEVERAL : ''}` };
  return { ok: true, value };
}
