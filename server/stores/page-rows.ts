/**
 * The SQLite server store's page rows as arrays: `[id, hlc, tbl, row, col, value]`. Reading
 * six fields of node:sqlite's row objects costs about 0.4 µs a row more than an array's
 * (issue 12), so the statement returns arrays where node:sqlite can (Node 24); an older
 * node:sqlite gives objects, made arrays here.
 */

/** id, hlc, table, row, column, value (JSON) of one stored message. */
export type PageRow = [number, string, string, string, string, string];

/** The part of a node:sqlite statement this needs. */
export interface PageStatement {
  all(...params: (number | string)[]): unknown[];
  setReturnArrays?(enabled: boolean): void;
}

interface PageObject {
  readonly id: number;
  readonly hlc: string;
  readonly tbl: string;
  readonly row: string;
  readonly col: string;
  readonly value: string;
}

/** Reads `statement`'s rows (`SELECT id, hlc, tbl, row, col, value …`) as PageRows. */
export function pageRowReader(statement: PageStatement): (...params: (number | string)[]) => PageRow[] {
  if (typeof statement.setReturnArrays === 'function') {
    statement.setReturnArrays(true);
    return (...params) => statement.all(...params) as PageRow[];
  }
  return (...params) => (statement.all(...params) as PageObject[]).map((r): PageRow => [r.id, r.hlc, r.tbl, r.row, r.col, r.value]);
}
