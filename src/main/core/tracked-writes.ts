/**
 * The sync client's writes, as the table repo makes them, reported to what follows this
 * device's writes to the server (unsent-writes.ts) and to the conflict judge.
 */
import type { Message, SyncClient } from 'fieldsync';
import type { ConflictJudge } from './conflict-judge.ts';
import type { UnsentWrites } from './unsent-writes.ts';

export type Writer = Pick<SyncClient, 'set' | 'update' | 'delete'>;

export function trackWrites(client: SyncClient, unsent: UnsentWrites, judge: ConflictJudge, afterWrite: () => void): Writer {
  const report = <T extends Message | Message[]>(result: T): T => {
    const messages: readonly Message[] = Array.isArray(result) ? result : [result as Message];
    unsent.wrote(messages);
    const newest = messages.at(-1);
    if (newest) judge.wrote(newest.hlc);
    afterWrite();
    return result;
  };
  return {
    set: async (table, row, column, value) => report(await client.set(table, row, column, value)),
    update: async (table, row, fields) => report(await client.update(table, row, fields)),
    delete: async (table, row) => report(await client.delete(table, row)),
  };
}
