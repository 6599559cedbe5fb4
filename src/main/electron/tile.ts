/** Where each of several windows goes so that they sit side by side on one screen. */
import type { Tile } from './launch-args.ts';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The smallest window the app lays out well. */
export const MIN_WIDTH = 420;
export const MIN_HEIGHT = 480;

/**
 * Splits the work area into `count` columns (more rows when columns would be narrower than
 * MIN_WIDTH) and returns the cell of window `index`. Whole pixels, inside the work area.
 */
export function tileBounds(workArea: Rect, tile: Tile): Rect {
  const count = Math.max(1, Math.floor(tile.count));
  const index = Math.min(Math.max(0, Math.floor(tile.index)), count - 1);
  const columns = Math.max(1, Math.min(count, Math.floor(workArea.width / MIN_WIDTH)));
  const rows = Math.ceil(count / columns);
  const col = index % columns;
  const row = Math.floor(index / columns);
  const x0 = Math.round(workArea.x + (workArea.width * col) / columns);
  const x1 = Math.round(workArea.x + (workArea.width * (col + 1)) / columns);
  const y0 = Math.round(workArea.y + (workArea.height * row) / rows);
  const y1 = Math.round(workArea.y + (workArea.height * (row + 1)) / rows);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
