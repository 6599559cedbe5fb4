/**
 * The fields of `create` and `update` are typed by the table: a column the table does not
 * have, a value of another type, or a column the core sets is a type error. The
 * `@ts-expect-error` lines below are the test: `npm run typecheck` fails when one of them
 * compiles. The checks use a schema of their own, and the app's `AppApi` only through
 * whatever tables it has, so they hold in a fork with other tables.
 */
import { describe, expect, it } from 'vitest';
import type { AppApi } from '../app-api.ts';
import { createdAt, defineAppSchema, field, flag, order, parent, text, type CreateFieldsOf, type UpdateFieldsOf } from '../app-schema-kit.ts';
import type { TableName } from '../app-rows.ts';

export const schema = defineAppSchema({
  version: 1,
  tables: {
    boards: { noun: 'board', titleColumn: 'name', columns: { name: text({ label: 'Name', max: 50 }), order: order() } },
    cards: {
      noun: 'card',
      titleColumn: 'title',
      columns: {
        boardId: parent('boards'),
        title: text({ label: 'Title', max: 80 }),
        done: flag(),
        priority: field<number | null>({ type: 'integer', nullable: true }),
        // Read as null until set, but the spec is not nullable: the store refuses null.
        points: field<number | null>('integer', { label: 'Points', min: 0 }),
        weight: field<number | null>({ type: 'number', nullable: false }),
        createdAt: createdAt(),
      },
    },
  },
});
type S = typeof schema;
type Create<N extends 'boards' | 'cards'> = CreateFieldsOf<S, N>;
type Update<N extends 'boards' | 'cards'> = UpdateFieldsOf<S, N>;
declare function create<N extends 'boards' | 'cards'>(table: N, fields: Create<N>): void;
declare function update<N extends 'boards' | 'cards'>(table: N, id: string, fields: Update<N>): void;

/** Never called: it only has to compile, with each expected error where it is marked. */
export function typeChecks(api: AppApi, someTable: TableName, column: string): void {
  create('cards', { boardId: 'b1', title: 'T', done: true, priority: 2 });
  create('cards', { title: 'T', priority: null });
  update('cards', 'c1', { done: false });
  update('boards', 'b1', { name: 'N' });
  update('cards', 'c1', { priority: null, points: 3, weight: 2.5 });

  // @ts-expect-error null in a field whose spec is not nullable (the store would refuse it when the call runs)
  update('cards', 'c1', { points: null });
  // @ts-expect-error the same, in an object spec without nullable: true
  create('cards', { title: 'T', weight: null });

  // @ts-expect-error a typo of a column
  create('cards', { title: 'T', prioritty: 1 });
  // @ts-expect-error a column of another table
  update('boards', 'b1', { title: 'N' });
  // @ts-expect-error a value of another type
  update('cards', 'c1', { done: 'yes' });
  // @ts-expect-error the core sets the order
  update('boards', 'b1', { order: 'a0' });
  // @ts-expect-error the core sets the creation time
  create('cards', { title: 'T', createdAt: 1 });
  // @ts-expect-error the parent is set once, when the row is created
  update('cards', 'c1', { boardId: 'b2' });

  // Generic code names its columns at run time: that stays possible.
  void api.update(someTable, 'id', { [column]: 'text' });
  // The app's API: whatever its tables, a key that cannot be a column name is refused.
  // @ts-expect-error not a column of any table
  void api.create(someTable, { 'not a column': 1 });
  // @ts-expect-error not a column of any table
  void api.update(someTable, 'id', { 'not a column': 1 });
}

describe('typed fields', () => {
  it('are checked by the compiler (this file is part of npm run typecheck)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
