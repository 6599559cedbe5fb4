/**
 * What "Find in this list" matches (views/todos/FindBox.tsx). The todo list is windowed: it
 * renders only the rows in view, so the browser's own find (Ctrl+F) and a screen reader's
 * browse mode see only those. The app's find searches the list's data instead.
 *
 * A title matches when it holds every word of the query, in any order, ignoring case and
 * accents ("cafe" finds "Café", "MILK buy" finds "Buy milk").
 */

/** Lower case, accents off (é → e), so that typed and stored text compare alike. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The query's words, folded; none for a query of only spaces. */
export function findWords(query: string): string[] {
  return fold(query).split(/\s+/u).filter((w) => w.length > 0);
}

/** True when `text` holds every one of `words` (from `findWords`). */
export function matchesFind(text: string, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const folded = fold(text);
  return words.every((w) => folded.includes(w));
}
