const apple = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** A Ctrl/Cmd shortcut as this platform writes it: `⌘Z` on Apple's systems, `Ctrl+Z` elsewhere. */
export function shortcutKeys(key: string): string {
  return apple() ? `⌘${key}` : `Ctrl+${key}`;
}

/** An Alt+Shift shortcut as this platform writes it: `⌥⇧R` on Apple's systems, `Alt+Shift+R` elsewhere. */
export function altShiftKeys(key: string): string {
  return apple() ? `⌥⇧${key}` : `Alt+Shift+${key}`;
}

/**
 * Whether a key press is Alt+Shift+`letter` (Option+Shift on a Mac), by the letter typed, or
 * by the key's place when the keys type another character (Option+Shift+R types "‰" on a Mac).
 */
export function isAltShift(event: KeyboardEvent, letter: string): boolean {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return false;
  const typed = /^[a-z]$/i.test(event.key) ? event.key.toLowerCase() : null;
  return typed === null ? event.code === `Key${letter.toUpperCase()}` : typed === letter.toLowerCase();
}
