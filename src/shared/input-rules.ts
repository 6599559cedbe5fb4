/**
 * What the app accepts as a title or a name. The renderer checks it to show a message at
 * once; the core checks it again, because the renderer is not trusted.
 */
export const TITLE_MAX = 500;
export const LIST_NAME_MAX = 100;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Checks a title or list name. Returns the trimmed text, or a message for the user.
 * Leading and trailing spaces are trimmed; nothing else is changed silently.
 */
export function checkText(input: unknown, what: 'Title' | 'List name', max: number): { ok: true; value: string } | { ok: false; message: string } {
  if (typeof input !== 'string') return { ok: false, message: `${what} must be text.` };
  const value = input.trim();
  if (value.length === 0) return { ok: false, message: `${what} can't be empty.` };
  if (CONTROL.test(value)) return { ok: false, message: `${what} can't contain control characters such as line breaks or tabs.` };
  const n = value.length > max ? codePoints(value) : value.length;
  if (n > max) return { ok: false, message: `${what} is too long: ${n} characters, at most ${max}.` };
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

export const checkTitle = (input: unknown) => checkText(input, 'Title', TITLE_MAX);
export const checkListName = (input: unknown) => checkText(input, 'List name', LIST_NAME_MAX);
