/** What a view gives the shell: its place in the view switcher and what it renders. */
import type { ComponentType } from 'react';
import type { IconName } from '../components/Icon.tsx';

export interface AppView {
  /** Stable and unique: the switcher's key. */
  readonly id: string;
  /** The switcher's label: "Todos". The switcher shows when there is more than one view. */
  readonly label: string;
  readonly icon: IconName;
  /** The skip link: the id of the view's main element, and the link's text. */
  readonly skipTo: { readonly target: string; readonly label: string };
  /**
   * Renders the view: its sidebar (`<nav>`) and its main pane (`<main>`), the two left
   * columns of the frame. The sync column and the toasts belong to the shell.
   */
  readonly Component: ComponentType;
}
