/** Which row stays selected when the rows change (a list deleted here or on another device). */

/** Keeps the selection, or moves it to the row that took the removed one's place. */
export function pickSelection(previous: readonly { id: string }[], next: readonly { id: string }[], selected: string | null): string | null {
  if (selected !== null && next.some((r) => r.id === selected)) return selected;
  if (next.length === 0) return null;
  const at = previous.findIndex((r) => r.id === selected);
  return (next[Math.min(Math.max(at, 0), next.length - 1)] as { id: string }).id;
}
