/**
 * Names that differ only in case. SQLite's identifiers ignore case, so `title` and `Title`
 * are one column of the file; the protocol, the server and every other store keep them
 * apart. A schema version that renames `title` to `Title` therefore declares a new column
 * (the server, and devices on the older version, still know `title`), which this file cannot
 * hold beside the old one: its values would read as the new column's, and unpushed writes of
 * `title` would be pushed as writes of `Title`. `defineSchema` refuses two such names in one
 * schema; this refuses them across versions, before the open changes anything: the old
 * column keeps its data, and a rename is a name that differs in more than case.
 */
import { SchemaError } from '../sync/index.ts';
import type { FileTable } from './file-tables.ts';
import type { SqlTable } from './sql-columns.ts';

function byLowerCase(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) out.set(n.toLowerCase(), n);
  return out;
}

/** Throws a SchemaError when a declared table or column differs only in case from one the file holds. */
export function refuseCaseOnlyRenames(declared: ReadonlyMap<string, SqlTable>, file: ReadonlyMap<string, FileTable>): void {
  const tables = byLowerCase(file.keys());
  for (const t of declared.values()) {
    const held = tables.get(t.name.toLowerCase());
    if (held === undefined) continue;
    if (held !== t.name) throw clash(`table ${t.name}`, `table ${held}`);
    const columns = byLowerCase((file.get(held) as FileTable).names); // the app's own columns too
    for (const c of t.columns.values()) {
      const was = columns.get(c.name.toLowerCase());
      if (was !== undefined && was !== c.name) throw clash(`column ${t.name}.${c.name}`, `column ${t.name}.${was}`);
    }
  }
}

const clash = (declared: string, held: string): SchemaError => new SchemaError(
  `the schema declares ${declared}, and the database holds ${held}: SQLite names ignore case, so they would be one, ` +
  'while the server and other devices keep them apart. Give it a name that differs in more than case.',
);
