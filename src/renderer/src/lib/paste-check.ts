type Check = (input: unknown) => { ok: true; value: string } | { ok: false; message: string };

/**
 * A single-line input silently drops line breaks from pasted text, which would change the
 * user's text without a word. So a paste with line breaks is checked as a whole: when the
 * result would break the input rules, the paste is refused and the rule's message shown.
 */
export function pasteProblem(input: HTMLInputElement, pasted: string, check: Check): string | null {
  if (!/[\r\n]/.test(pasted)) return null;
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  const result = check(input.value.slice(0, start) + pasted + input.value.slice(end));
  return result.ok ? null : result.message;
}
