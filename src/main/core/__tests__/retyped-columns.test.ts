/**
 * A column whose type a later schema version changed: the SQLite store keeps each value
 * written before exactly, a value of the earlier type as a BLOB of its JSON text
 * (src/sqlite/sql-values.ts). The API's rows never carry such a BLOB, and one odd cell never
 * fails a whole `rows` call: a value that no longer fits its column reads as the column's
 * empty value, as `Row<T>` types it, while the library (the inspector's history) still
 * reports the value that was written. Over a real SQLite file, reopened with the new schema.
 */
import { describe, expect, it } from 'vitest';
import type { AnyRow, InspectorEntry } from '../../../shared/app-api.ts';
import { createdAt, defineAppSchema, field, flag, text, type ColumnSpec } from '../../../shared/app-schema-kit.ts';
import { call, useCores } from '../../../../test-support/core-fixture.ts';

const tasks = (version: number, priority: ColumnSpec, done: 'flag' | 'integer') =>
  defineAppSchema({
    version,
    tables: {
      tasks: {
        noun: 'task',
        titleColumn: 'title',
        columns: {
          title: text({ label: 'Title', max: 100 }),
          priority: field(priority),
          done: done === 'flag' ? flag() : field({ type: 'integer', nullable: true }),
          meta: field({ type: 'json', nullable: true }),
          createdAt: createdAt(),
        },
      },
    },
  });

const cores = useCores();

describe('a retyped column, read through the API', () => {
  it('reads a value of the earlier type as empty, never as a Buffer, while the library keeps it', async () => {
    const before = await cores.open({ schema: tasks(1, { type: 'integer', nullable: true }, 'integer') });
    const a = await call<AnyRow>(before, 'create', 'tasks', { title: 'A', priority: 2, done: 5 });
    const b = await call<AnyRow>(before, 'create', 'tasks', { title: 'B', priority: 3 });
    await before.close();

    // priority: integer → string; done: integer → flag().
    const after = await cores.open({ dir: before.dir, schema: tasks(2, { type: 'string', nullable: true }, 'flag') });
    const rows = await call<AnyRow[]>(after, 'rows', 'tasks', {});
    expect(rows.find((r) => r.id === a.id)).toMatchObject({ title: 'A', priority: null, done: false });
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toBeInstanceOf(Uint8Array);
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows); // plain JSON, as it crosses IPC
    const [winner] = await call<InspectorEntry[]>(after, 'history', 'tasks', a.id, 'priority');
    expect(winner?.value).toBe(2); // what was written, as the library reports it

    // Written again with the new type, the cell reads as written.
    await call(after, 'update', 'tasks', b.id, { priority: 'high', done: true });
    expect((await call<AnyRow[]>(after, 'rows', 'tasks', {})).find((r) => r.id === b.id)).toMatchObject({ priority: 'high', done: true });
  });

  it('reads text that is not JSON in a json column as that text, without failing the call', async () => {
    const core = await cores.open({ schema: tasks(1, 'string', 'flag') });
    const a = await call<AnyRow>(core, 'create', 'tasks', { title: 'A', meta: { tags: ['x'] } });
    const b = await call<AnyRow>(core, 'create', 'tasks', { title: 'B' });
    core.db.prepare('UPDATE tasks SET meta = ? WHERE id = ?').run('not json {', b.id); // another program's write
    const rows = await call<AnyRow[]>(core, 'rows', 'tasks', {});
    expect(rows.find((r) => r.id === a.id)?.meta).toEqual({ tags: ['x'] });
    expect(rows.find((r) => r.id === b.id)?.meta).toBe('not json {');
  });
});
