/**
 * Creating a row reads only the greatest order key of its list (one index read), not every
 * row: the key it gets is the one placeAt gives over the whole sorted list, deleted rows
 * included.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORDER_MAX } from '../../../shared/app-schema-kit.ts';
import type { AnyRow } from '../../../shared/app-api.ts';
import { listsSchema } from '../../../../test-support/lists-schema.ts';
import { tempDir, type TempDir } from '../../../../test-support/temp-dir.ts';
import { createAppCore, type AppCore } from '../app-core.ts';
import { fullReads } from './helpers/full-reads.ts';
import { placeAt } from '../order-keys.ts';

// Counts the full reads of a list (every row decoded): the path creating no longer takes.
vi.mock('../table-queries.ts', async (original) => (await import('./helpers/full-reads.ts')).countingFullReads(original));

let dirs: TempDir[] = [];
let cores: AppCore[] = [];
afterEach(async () => {
  for (const core of cores) await core.close();
  for (const dir of dirs) dir.remove();
  cores = [];
  dirs = [];
});

async function open() {
  const dir = tempDir('append-order-');
  dirs.push(dir);
  const core = await createAppCore({ profileDir: dir.path, profile: 'append', log: () => {}, schema: listsSchema });
  cores.push(core);
  const call = async (method: string, ...args: unknown[]) => {
    const answer = await core.dispatch(method, args);
    if (!answer.ok) throw new Error(`${method}: ${JSON.stringify(answer)}`);
    return answer.value as AnyRow & AnyRow[];
  };
  return { core, call };
}

/** The key the old code gave a new row: placeAt over every live sibling, in order. */
const expectedKey = (siblings: readonly AnyRow[]) =>
  placeAt(siblings.map((r) => ({ id: r.id, order: r.order as string })), 'new', Number.MAX_SAFE_INTEGER, ORDER_MAX).find((w) => w.id === 'new')?.order;

describe('creating a row', () => {
  it('gets the key after the last live sibling, without reading the list', async () => {
    const { call } = await open();
    const list = await call('create', 'lists', { name: 'Inbox' });
    const other = await call('create', 'lists', { name: 'Other' });
    const made: AnyRow[] = [];
    for (let i = 0; i < 12; i++) made.push(await call('create', 'todos', { listId: list.id, title: `t${i}` }));
    await call('create', 'todos', { listId: other.id, title: 'elsewhere' });
    // The last rows deleted: the next key follows the last live one, as before.
    await call('delete', 'todos', made[11]?.id);
    await call('delete', 'todos', made[10]?.id);
    await call('move', 'todos', made[0]?.id, 99);
    const siblings = await call('rows', 'todos', { parent: list.id });
    fullReads.count = 0;
    const created = await call('create', 'todos', { listId: list.id, title: 'new' });
    expect(fullReads.count).toBe(0);
    expect(created.order).toBe(expectedKey(siblings));
    const empty = await call('create', 'lists', { name: 'Empty' });
    expect((await call('create', 'todos', { listId: empty.id, title: 'first' })).order).toBe(expectedKey([]));
    expect(fullReads.count).toBe(0);
  });

});
