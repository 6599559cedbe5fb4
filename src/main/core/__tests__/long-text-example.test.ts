/**
 * What docs/fork.md says about long text, shown with real app cores: two offline edits of
 * one `body` field keep only the later one, while the same edits of a body kept as
 * paragraph rows (docs/examples/paragraphs.ts) both survive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinParagraphs, planParagraphs, saveParagraphs, type Paragraph, type ParagraphWriter } from '../../../../docs/examples/paragraphs.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import { createdAt, defineAppSchema, order, parent, text } from '../../../shared/app-schema-kit.ts';
import { createInProcessServer } from 'fieldsync/testing';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import type { AppCore } from '../app-core.ts';

const schema = defineAppSchema({
  version: 1,
  tables: {
    notes: {
      noun: 'note',
      titleColumn: 'title',
      columns: { title: text({ label: 'Title', max: 200 }), body: text({ label: 'Body', max: 20_000, optional: true, multiline: true }), createdAt: createdAt() },
    },
    paragraphs: {
      noun: 'paragraph',
      titleColumn: 'text',
      columns: { noteId: parent('notes'), text: text({ label: 'Paragraph', max: 10_000, optional: true }), order: order() },
    },
  },
});

/** Applies a plan to plain paragraphs, as the rows would end up. */
function applyPlan(current: readonly Paragraph[], body: string): string[] {
  const rows = [...current];
  let n = 0;
  for (const edit of planParagraphs(current, body)) {
    if (edit.kind === 'delete') rows.splice(rows.findIndex((p) => p.id === edit.id), 1);
    else if (edit.kind === 'update') rows[rows.findIndex((p) => p.id === edit.id)] = { id: edit.id, text: edit.text };
    else rows.splice(edit.at, 0, { id: `new-${n++}`, text: edit.text });
  }
  return rows.map((p) => p.text);
}

const paragraphs = (lines: string[]): Paragraph[] => lines.map((text, i) => ({ id: `p${i}`, text }));

describe('planParagraphs', () => {
  it('writes only what changed', () => {
    const current = paragraphs(['Lisbon', 'Porto', 'Faro']);
    expect(planParagraphs(current, 'Lisbon\nPorto\nFaro')).toEqual([]);
    expect(planParagraphs(current, 'Lisbon\nPorto, by train\nFaro')).toEqual([{ kind: 'update', id: 'p1', text: 'Porto, by train' }]);
    expect(planParagraphs(current, 'Lisbon\nSintra\nPorto\nFaro')).toEqual([{ kind: 'create', text: 'Sintra', at: 1 }]);
    expect(planParagraphs(current, 'Lisbon\nFaro')).toEqual([{ kind: 'delete', id: 'p1' }]);
    expect(planParagraphs([], 'One\nTwo')).toEqual([{ kind: 'create', text: 'One', at: 0 }, { kind: 'create', text: 'Two', at: 1 }]);
  });

  it('always ends with exactly the new body (property)', () => {
    const line = fc.constantFrom('a', 'b', 'c', '', 'd d');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(line, { minLength: 1, maxLength: 8 }), (before, after) => {
        expect(applyPlan(paragraphs(before), after.join('\n'))).toEqual(after);
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});

describe('long text under last-writer-wins', () => {
  const cores = useCores();

  async function twoDevices() {
    const server = createInProcessServer();
    const open = () => cores.open({ schema, remote: server.remote('writer'), sync: { autoSync: false } });
    return [await open(), await open()] as const;
  }
  const sync = async (core: AppCore) => void (await core.client.sync());
  const writer = (core: AppCore, noteId: string): ParagraphWriter => ({
    create: async (value, at) => {
      const p = await call<AnyRow>(core, 'create', 'paragraphs', { noteId, text: value });
      await call(core, 'move', 'paragraphs', p.id, at);
    },
    update: (id, value) => call(core, 'update', 'paragraphs', id, { text: value }),
    delete: (id) => call(core, 'delete', 'paragraphs', id),
  });
  const current = (core: AppCore, noteId: string) => call<Paragraph[]>(core, 'rows', 'paragraphs', { parent: noteId });
  /** Edits the body both ways: the one field, and the paragraph rows. */
  async function edit(core: AppCore, noteId: string, body: string): Promise<void> {
    await call(core, 'update', 'notes', noteId, { body });
    await saveParagraphs(await current(core, noteId), body, writer(core, noteId));
  }

  it('keeps only the later of two offline edits of one field, and both edits of different paragraphs', async () => {
    const [phone, laptop] = await twoDevices();
    const note = await call<AnyRow>(phone, 'create', 'notes', { title: 'Trip', body: '' });
    await edit(phone, note.id, 'Lisbon\nPorto');
    await sync(phone);
    await sync(laptop);
    expect(joinParagraphs(await current(laptop, note.id))).toBe('Lisbon\nPorto');

    // Both offline: the phone edits the first paragraph, then the laptop the second.
    await edit(phone, note.id, 'Lisbon, in May\nPorto');
    // "Later" is a later millisecond: two edits within one millisecond are concurrent, and
    // the tie-break (counter, then clientId) may go either way. Local writes are fast
    // enough now that both could land in the same one.
    const t = Date.now();
    while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
    await edit(laptop, note.id, 'Lisbon\nPorto, by train');
    for (const device of [phone, laptop, phone]) await sync(device);

    for (const device of [phone, laptop]) {
      const [saved] = await call<AnyRow[]>(device, 'rows', 'notes', {});
      expect(saved?.body).toBe('Lisbon\nPorto, by train'); // the phone's edit is gone
      expect(joinParagraphs(await current(device, note.id))).toBe('Lisbon, in May\nPorto, by train'); // both kept
    }
  });
});
