/**
 * The core is generic over the app schema: the same dispatcher and repository serve a
 * schema with three levels of parents, a table without an order, and plain fields.
 */
import { describe, expect, it } from 'vitest';
import type { AnyRow } from '../../../shared/app-api.ts';
import { createdAt, defineAppSchema, field, flag, order, parent, text } from '../../../shared/app-schema-kit.ts';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';

const schema = defineAppSchema({
  version: 1,
  tables: {
    boards: { noun: 'board', titleColumn: 'name', columns: { name: text({ label: 'Name', max: 50 }), createdAt: createdAt() } },
    columns: { noun: 'column', titleColumn: 'name', columns: { boardId: parent('boards'), name: text({ label: 'Name', max: 50 }), order: order() } },
    cards: {
      noun: 'card',
      titleColumn: 'title',
      columns: {
        columnId: parent('columns'),
        title: text({ label: 'Card title', max: 80 }),
        notes: text({ label: 'Notes', max: 1000, optional: true, multiline: true }),
        archived: flag(),
        labels: field({ type: 'json', nullable: true }),
        estimate: field('integer'),
        order: order(),
      },
    },
  },
});

const cores = useCores();
const open = () => cores.open({ schema });

describe('a core over another app schema', () => {
  it('creates, reads and orders rows of every table, with defaults and plain fields', async () => {
    const core = await open();
    const board = await call<AnyRow>(core, 'create', 'boards', { name: 'Launch' });
    const later = await call<AnyRow>(core, 'create', 'boards', { name: 'Another' });
    expect((await call<AnyRow[]>(core, 'rows', 'boards', {})).map((b) => b.name)).toEqual(['Launch', 'Another']); // by creation time
    expect(later.createdAt).toBeGreaterThanOrEqual(board.createdAt as number);
    const todo = await call<AnyRow>(core, 'create', 'columns', { boardId: board.id, name: 'To do' });
    const done = await call<AnyRow>(core, 'create', 'columns', { boardId: board.id, name: 'Done' });
    await call(core, 'move', 'columns', done.id, 0);
    expect((await call<AnyRow[]>(core, 'rows', 'columns', { parent: board.id })).map((c) => c.name)).toEqual(['Done', 'To do']);

    const card = await call<AnyRow>(core, 'create', 'cards', { columnId: todo.id, title: 'Write docs', labels: ['docs', { p: 1 }], estimate: 3 });
    expect(card).toMatchObject({ title: 'Write docs', notes: '', archived: false, labels: ['docs', { p: 1 }], estimate: 3 });
    await call(core, 'update', 'cards', card.id, { notes: 'Line 1\n\tLine 2', archived: true, labels: null });
    expect(await call<AnyRow[]>(core, 'rows', 'cards', { parent: todo.id })).toEqual([{ ...card, notes: 'Line 1\n\tLine 2', archived: true, labels: null }]);
  });

  it('hides the rows below a deleted row, however far down, and answers not_found for them', async () => {
    const core = await open();
    const board = await call<AnyRow>(core, 'create', 'boards', { name: 'B' });
    const column = await call<AnyRow>(core, 'create', 'columns', { boardId: board.id, name: 'C' });
    const card = await call<AnyRow>(core, 'create', 'cards', { columnId: column.id, title: 'T' });
    await call(core, 'delete', 'boards', board.id);
    expect(await call(core, 'rows', 'cards', {})).toEqual([]);
    expect(await core.dispatch('update', ['cards', card.id, { title: 'x' }])).toMatchObject({ ok: false, error: { code: 'not_found', message: 'That card no longer exists.' } });
    expect(await core.dispatch('rows', ['cards', { parent: column.id }])).toMatchObject({ ok: false, error: { code: 'not_found', message: 'That column no longer exists.' } });
  });

  it('refuses what the schema does not allow, with its words', async () => {
    const core = await open();
    const board = await call<AnyRow>(core, 'create', 'boards', { name: 'B' });
    const refused = async (method: string, args: unknown[]) => {
      const e = await core.dispatch(method, args);
      return e.ok ? 'accepted' : `${e.error.code}: ${e.error.message}`;
    };
    expect(await refused('move', ['boards', board.id, 0])).toBe('invalid_argument: The boards have no order to change.');
    expect(await refused('rows', ['lists', {}])).toBe('invalid_argument: Unknown table: lists.');
    expect(await refused('rows', ['boards', { parent: 'x' }])).toBe('invalid_argument: The boards belong to no other row: leave out "parent".');
    expect(await refused('create', ['columns', { boardId: board.id, name: '' }])).toBe("invalid_argument: Name can't be empty.");
    const column = await call<AnyRow>(core, 'create', 'columns', { boardId: board.id, name: 'C' });
    const before = messageCount(core);
    expect(await refused('create', ['cards', { columnId: column.id, title: 'T', estimate: 1.5 }])).toBe('invalid_argument: cards.estimate must be an integer');
    expect(await refused('update', ['cards', 'nope', { labels: { deep: [1, 2] } }])).toBe('not_found: That card no longer exists.');
    expect(await refused('create', ['cards', { columnId: 'nope', title: 'T' }])).toBe('not_found: That column no longer exists.');
    expect(messageCount(core)).toBe(before);
  });

  it('applies the character rule to every text column: a multi-line one takes line breaks and tabs, never direction controls', async () => {
    const core = await open();
    const board = await call<AnyRow>(core, 'create', 'boards', { name: 'B' });
    const column = await call<AnyRow>(core, 'create', 'columns', { boardId: board.id, name: 'C' });
    const card = await call<AnyRow>(core, 'create', 'cards', { columnId: column.id, title: 'T' });
    const before = messageCount(core);
    const refused = async (fields: Record<string, unknown>) => {
      const e = await core.dispatch('update', ['cards', card.id, fields]);
      return e.ok ? 'accepted' : e.error.message;
    };
    expect(await refused({ notes: 'a\u202Eb' })).toBe("Notes can't contain U+202E (right-to-left override), an invisible character that changes the direction of text.");
    expect(await refused({ notes: 'line 1\n\u2067line 2' })).toBe("Notes can't contain U+2067 (right-to-left isolate), an invisible character that changes the direction of text.");
    expect(await refused({ notes: 'a\r\nb' })).toBe("Notes can't contain control characters.");
    expect(await refused({ title: 'a\nb' })).toBe("Card title can't contain control characters such as line breaks or tabs.");
    expect(await refused({ title: '\u200Fb' })).toBe("Card title can't contain U+200F (right-to-left mark), an invisible character that changes the direction of text.");
    expect(await refused({ name: 'x' })).toBe('A card has no field "name".');
    expect(messageCount(core)).toBe(before);
    expect(await refused({ notes: 'line 1\n\tline 2 \u05e9\u05dc\u05d5\u05dd' })).toBe('accepted');
  });
});
