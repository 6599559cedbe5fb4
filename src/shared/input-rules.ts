/**
 * What the app accepts as user text. The renderer checks it to show a message at once; the
 * core checks it again, because the renderer is not trusted. Each text column of the app
 * schema names its label and its length (`text({ label: 'Title', max: 500 })`).
 */

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// The same, but line breaks and tabs are text in a multi-line field.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

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
 * Checks a title or a name. Returns the text to store, or a message for the user. A
 * single-line text loses its leading and trailing spaces; nothing else is changed silently.
 */
export function checkText(input: unknown, rule: TextRule): TextCheck {
  const what = rule.label;
  if (typeof input !== 'string') return { ok: false, message: `${what} must be text.` };
  const value = rule.multiline ? input : input.trim();
  if (value.trim().length === 0 && !rule.optional) return { ok: false, message: `${what} can't be empty.` };
  if ((rule.multiline ? CONTROL_MULTILINE : CONTROL).test(value)) {
    return { ok: false, message: rule.multiline ? `${what} can't contain control characters.` : `${what} can't contain control characters such as line breaks or tabs.` };
  }
  const n = value.length > rule.max ? codePoints(value) : value.length;
  if (n > rule.max) return { ok: false, message: `${what} is too long: ${n} characters, at most ${rule.max}.` };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return { ok: false, message: `${what} contains broken characters.` };
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return { ok: false, message: `${what} contains broken characters.` };
  }
  return { ok: true, value };
}
