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

/**
 * Lost, or parked on the view's main pane itself: a skip link's target, or where the focus
 * went when what it was to go back to had gone. No control holds it there, and a screen
 * reader says nothing but the landmark; so when the pane changes (a row deleted or brought
 * back, its last row gone) the app moves it as it would from <body>. Round 59: a list brought
 * back by Alt+Shift+R from there left the focus on the pane.
 */
export function focusParked(): boolean {
  return focusLost() || document.activeElement?.tagName === 'MAIN';
}

/**
 * Focus for when the element it was to go back to is gone (the row a toast was reached from,
 * deleted meanwhile on another device): in the view's main pane, its list's tab stop (a
 * deleted row's neighbour takes it, use-row-keys.ts), else the pane's heading when it takes
 * the focus, else the pane itself. Until round 59 it was always the pane: a screen reader said
 * "main" and nothing of where the user was.
 */
export function focusMainPane(): void {
  const main = document.querySelector<HTMLElement>('main');
  if (!main) return;
  const heading = main.querySelector<HTMLElement>('h1[tabindex]');
  (main.querySelector<HTMLElement>('li[tabindex="0"]') ?? heading ?? main).focus();
}
