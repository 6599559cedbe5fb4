/**
 * Long text that survives concurrent edits: one row per paragraph instead of one text
 * field. Sync is last-writer-wins per field, so two offline edits of the same `body` keep
 * only the later one. With a row per paragraph, edits of different paragraphs are writes to
 * different fields and both stay; only two edits of the same paragraph fall back to
 * last-writer-wins.
 *
 * The table, in `src/shared/app-schema.ts` (a paragraph belongs to its note, in order):
 *
 * ```ts
 * paragraphs: {
 *   noun: 'paragraph',
 *   titleColumn: 'text',
 *   columns: {
 *     noteId: parent('notes'),
 *     text: text({ label: 'Paragraph', max: 10_000, optional: true }),
 *     order: order(),
 *   },
 * },
 * ```
 *
 * Saving an edited body, in the view:
 *
 * ```ts
 * const current = await api.rows('paragraphs', { parent: noteId }); // in order
 * await saveParagraphs(current, draft, {
 *   create: async (text, at) => {
 *     const p = await api.create('paragraphs', { noteId, text });
 *     await api.move('paragraphs', p.id, at);
 *   },
 *   update: (id, text) => api.update('paragraphs', id, { text }),
 *   delete: (id) => api.delete('paragraphs', id),
 * });
 * ```
 *
 * `planParagraphs` keeps every paragraph that did not change (so a concurrent edit of it on
 * another device is not overwritten), and rewrites a changed paragraph in place rather than
 * replacing it, so that it keeps its identity.
 */

export interface Paragraph {
  readonly id: string;
  readonly text: string;
}

export type ParagraphEdit =
  | { readonly kind: 'update'; readonly id: string; readonly text: string }
  | { readonly kind: 'delete'; readonly id: string }
  /** `at`: its index among the paragraphs once the plan is applied. */
  | { readonly kind: 'create'; readonly text: string; readonly at: number };

export interface ParagraphWriter {
  create(text: string, at: number): Promise<unknown>;
  update(id: string, text: string): Promise<unknown>;
  delete(id: string): Promise<unknown>;
}

/** A body split into paragraphs: one per line. */
export function splitParagraphs(body: string): string[] {
  return body.split('\n');
}

export function joinParagraphs(paragraphs: readonly Paragraph[]): string {
  return paragraphs.map((p) => p.text).join('\n');
}

/** The longest common subsequence of two lists of lines, as index pairs. */
function commonLines(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const width = b.length + 1;
  // lengths[i * width + j]: the length of the longest common subsequence of a[i..] and b[j..].
  const lengths = new Array<number>((a.length + 1) * width).fill(0);
  const length = (i: number, j: number): number => lengths[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? length(i + 1, j + 1) + 1 : Math.max(length(i + 1, j), length(i, j + 1));
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (length(i + 1, j) >= length(i, j + 1)) i++;
    else j++;
  }
  return pairs;
}

/**
 * The fewest row writes that turn `current` into `body`: unchanged paragraphs are kept,
 * changed ones are updated in place, and only the rest are created or deleted. Deletes come
 * first, then updates, then creates by ascending position, so applying the plan in its order
 * puts every created paragraph exactly at its `at`.
 */
export function planParagraphs(current: readonly Paragraph[], body: string): ParagraphEdit[] {
  const next = splitParagraphs(body);
  const kept = commonLines(current.map((p) => p.text), next);
  const deletes: ParagraphEdit[] = [];
  const updates: ParagraphEdit[] = [];
  const creates: ParagraphEdit[] = [];
  // Between two kept lines, old lines pair up with new ones in order (an edit in place).
  const anchors: Array<[number, number]> = [...kept, [current.length, next.length]];
  let i = 0;
  let j = 0;
  for (const [ai, aj] of anchors) {
    while (i < ai && j < aj) {
      const old = current[i++] as Paragraph;
      const text = next[j++] as string;
      updates.push({ kind: 'update', id: old.id, text });
    }
    while (i < ai) deletes.push({ kind: 'delete', id: (current[i++] as Paragraph).id });
    while (j < aj) creates.push({ kind: 'create', text: next[j] as string, at: j++ });
    i = ai + 1;
    j = aj + 1;
  }
  return [...deletes, ...updates, ...creates];
}

/** Saves `body` as paragraph rows, writing only what changed. */
export async function saveParagraphs(current: readonly Paragraph[], body: string, writer: ParagraphWriter): Promise<void> {
  for (const edit of planParagraphs(current, body)) {
    if (edit.kind === 'delete') await writer.delete(edit.id);
    else if (edit.kind === 'update') await writer.update(edit.id, edit.text);
    else await writer.create(edit.text, edit.at);
  }
}
