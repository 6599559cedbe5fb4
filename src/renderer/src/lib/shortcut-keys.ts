/** A Ctrl/Cmd shortcut as this platform writes it: `⌘Z` on Apple's systems, `Ctrl+Z` elsewhere. */
export function shortcutKeys(key: string): string {
  const apple = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);
  return apple ? `⌘${key}` : `Ctrl+${key}`;
}
