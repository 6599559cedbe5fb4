/**
 * The winners of a pulled page's cells as the map the store contract asks for
 * (`SyncStore.winners`: each cell's hlc by `cellKey`), answered from the rows read rather
 * than from a key built and stored per cell. A page is a thousand cells; building and
 * hashing a key for each, only for the merge to build and hash the same key again to look
 * it up, was most of the read's JavaScript.
 *
 * It holds exactly the cells asked for, as a Map would: `get` parses the key back into its
 * table, row and column and answers only for a column asked of that row; `size` and the
 * iterators count and list those cells once each, however often a page names a cell.
 * Tables of more than ROW_BITS columns, and any layout of `cellKey` other than the one
 * parsed here, get a plain Map instead (winner-reads.ts asks `lazyWinners`).
 */
import { cellKey } from '../sync/index.ts';

/** Columns asked of a row are bits of a number: tables up to this wide. */
const ROW_BITS = 30;

/** `cellKey` as this file parses it: table, row and column separated by U+0000. */
const PARSES = cellKey('t', 'r', 'c') === 't\u0000r\u0000c';

/** Whether a table's page can be answered by a PageWinners (else: a plain Map). */
export const lazyWinners = (columns: number): boolean => PARSES && columns < ROW_BITS;

/** The rows of one table that a page asked about. */
export interface AskedRows {
  readonly table: string;
  /** Row id → its index in `asked` and `found`. */
  readonly index: ReadonlyMap<string, number>;
  /** Row ids by index. */
  readonly ids: readonly string[];
  /** By row index: the columns asked, as bits of their `position`s. */
  readonly asked: readonly number[];
  /** By row index: the row as read, its hlcs at their columns' `position`s; undefined when the row does not exist. */
  readonly found: readonly (readonly unknown[] | undefined)[];
  /** Column name → its index in a row read (1 + its position in the table: index 0 is not a column). */
  readonly position: ReadonlyMap<string, number>;
  /** Column names by that index (index 0 unused). */
  readonly names: readonly string[];
}

export class PageWinners implements ReadonlyMap<string, string> {
  readonly size: number;
  private readonly byTable: ReadonlyMap<string, AskedRows>;
  /** The one table, when the page has one (most pages): no table name sliced per key. */
  private readonly only: AskedRows | undefined;
  /**
   * The hlcs held, listed once: the size, the store guard's check and the merge's newest hlc
   * all walk them on every page, and the rows read do not change.
   */
  private readonly held: readonly string[];

  constructor(tables: readonly AskedRows[]) {
    this.byTable = new Map(tables.map((t) => [t.table, t]));
    this.only = tables.length === 1 ? tables[0] : undefined;
    this.held = this.hlcs();
    this.size = this.held.length;
  }

  get(key: string): string | undefined {
    const i = key.indexOf('\u0000');
    const j = key.lastIndexOf('\u0000');
    if (i < 0 || j <= i) return undefined;
    const only = this.only;
    const t = only !== undefined ? (i === only.table.length && key.startsWith(only.table) ? only : undefined) : this.byTable.get(key.slice(0, i));
    if (t === undefined) return undefined;
    const at = t.index.get(key.slice(i + 1, j));
    if (at === undefined) return undefined;
    const hlcs = t.found[at];
    const p = t.position.get(key.slice(j + 1));
    if (hlcs === undefined || p === undefined || ((t.asked[at] as number) & (1 << p)) === 0) return undefined;
    const hlc = hlcs[p];
    return typeof hlc === 'string' && hlc !== '' ? hlc : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The cells held, each once, in `fn(table's rows, row index, position, hlc)`. */
  private each(fn: (t: AskedRows, at: number, p: number, hlc: string) => void): void {
    for (const t of this.byTable.values()) {
      for (let at = 0; at < t.found.length; at++) {
        const hlcs = t.found[at];
        if (hlcs === undefined) continue;
        const asked = t.asked[at] as number;
        for (let p = 1; p < t.names.length; p++) {
          const hlc = hlcs[p];
          if ((asked & (1 << p)) !== 0 && typeof hlc === 'string' && hlc !== '') fn(t, at, p, hlc);
        }
      }
    }
  }

  /** The hlcs held, walked from the rows read (once: see `held`). */
  private hlcs(): string[] {
    const out: string[] = [];
    this.each((_t, _at, _p, hlc) => out.push(hlc));
    return out;
  }

  private list(): [string, string][] {
    const out: [string, string][] = [];
    this.each((t, at, p, hlc) => out.push([cellKey(t.table, t.ids[at] as string, t.names[p] as string), hlc]));
    return out;
  }

  entries(): MapIterator<[string, string]> {
    return new Map(this.list()).entries();
  }

  keys(): MapIterator<string> {
    return new Map(this.list()).keys();
  }

  values(): MapIterator<string> {
    return this.held.values();
  }

  forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    for (const [key, hlc] of this.list()) fn.call(thisArg, hlc, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}
