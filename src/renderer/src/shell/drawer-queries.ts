/**
 * Where the sync column is a drawer, as media queries: one source for the shell (AppShell.tsx)
 * and the specs that resize windows and must wait for its fold (e2e/browser/target-sizes.spec.ts).
 * layout.css's @media rules say the same widths and heights.
 */

/** Where the sync column is a bottom drawer (layout.css) on a short window: it starts folded. */
export const FOLDED_DRAWER = '(max-width: 1100px) and (max-height: 800px)';
/** Where the sync column is a bottom drawer at all (layout.css). */
export const DRAWER = '(max-width: 1100px)';
