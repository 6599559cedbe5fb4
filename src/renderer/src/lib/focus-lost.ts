/**
 * Whether the focus has fallen to the page: the element that held it went away (a deleted
 * row, an edit that ended, a button its own click removed), and the next Tab would start from
 * the top. Only then does the app move it somewhere sensible; focus the user put elsewhere
 * stays where it is.
 */
export function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body;
}
