/**
 * Whether keys typed at `target` edit text, so that Ctrl/Cmd+Z there is the field's own undo
 * of its typing, not the app's: a text-like `<input>`, a `<textarea>`, or contenteditable
 * content. A checkbox, a radio, a button or a range takes no typing: the app's undo runs there.
 */
const NOT_TEXT_INPUT_TYPES = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'file', 'color', 'range', 'hidden']);

export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  // `type` is the normalized one: an unknown or missing type is "text", as the browser treats it.
  if (target instanceof HTMLInputElement) return !NOT_TEXT_INPUT_TYPES.has(target.type);
  if (target instanceof HTMLTextAreaElement) return true;
  // isContentEditable covers an inherited contenteditable; jsdom lacks it, hence the attribute walk.
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target.closest('[contenteditable]:not([contenteditable="false"])') !== null;
}
