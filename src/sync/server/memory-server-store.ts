/**
 * An in-memory server store: the reference implementation of the server-store contract,
 * used by the in-process test server and as the model the SQL stores are checked against.
 */
import { invalidArgument, reading } from '../errors.ts';
import { clientIdOf } from '../hlc.ts';
import { optionsError } from '../option-keys.ts';
import { cellKey, type Message, type ServerMessage } from '../message.ts';
import { newEpoch, type PullOptions, type PullResult, type PushResult, type ServerStore } from './server-store.ts';
import { checkServerStoreCall, userIdError } from './store-arguments.ts';

interface UserLog {
  lastId: number;
  epoch: string;
  /** Messages by id; compaction deletes entries, so ids have gaps. */
  readonly byId: Map<number, ServerMessage>;
  readonly byHlc: Map<string, ServerMessage>;
  /** With compaction: the stored message of each cell. */
  readonly byCell: Map<string, ServerMessage>;
}

export interface MemoryServerStore extends ServerStore {
  /** Every stored message of a user, in id order (for tests). */
  dump(userId: string): ServerMessage[];
}

export function createMemoryServerStore(options: { compaction?: boolean } = {}): MemoryServerStore {
  const why = reading('createMemoryServerStore: reading the options', () => optionsError(options, { compaction: 0 }) ?? (options.compaction !== undefined && typeof options.compaction !== 'boolean' ? 'compaction must be true or false' : null));
  if (why !== null) throw invalidArgument(`createMemoryServerStore: ${why}`);
  const compaction = options.compaction ?? true;
  const users = new Map<string, UserLog>();
  const log = (userId: string): UserLog => {
    let u = users.get(userId);
    if (!u) users.set(userId, (u = { lastId: 0, epoch: newEpoch(), byId: new Map(), byHlc: new Map(), byCell: new Map() }));
    return u;
  };
  const copy = (m: ServerMessage): ServerMessage => JSON.parse(JSON.stringify(m)) as ServerMessage;

  return {
    push(userId, input: readonly Message[]): PushResult {
      // A call of the app's own with what is not its arguments is refused before anything changes.
      checkServerStoreCall('push', userId, input);
      // Copy everything before changing anything: a push is all or nothing.
      const messages = input.map((m): Message => ({ hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: m.value }));
      const u = log(userId);
      let stored = 0;
      for (const m of messages) {
        if (u.byHlc.has(m.hlc)) continue;
        const key = cellKey(m.table, m.row, m.column);
        if (compaction) {
          const current = u.byCell.get(key);
          if (current && current.hlc >= m.hlc) continue; // it lost its cell: not kept
          if (current) {
            u.byId.delete(current.id);
            u.byHlc.delete(current.hlc);
          }
        }
        const s: ServerMessage = { id: ++u.lastId, hlc: m.hlc, table: m.table, row: m.row, column: m.column, value: m.value };
        u.byId.set(s.id, s);
        u.byHlc.set(s.hlc, s);
        if (compaction) u.byCell.set(key, s);
        stored++;
      }
      return { accepted: messages.length, stored, maxId: u.lastId };
    },

    pull(userId, o: PullOptions): PullResult {
      checkServerStoreCall('pull', userId, o);
      const u = users.get(userId);
      if (!u) return { messages: [], cursor: o.cursor, more: false, lastId: 0, epoch: '' };
      const out: ServerMessage[] = [];
      const { lastId, epoch } = u;
      // Map iteration follows insertion order, which is id order.
      for (const m of u.byId.values()) {
        if (m.id <= o.cursor || (o.includeOwn !== true && clientIdOf(m.hlc) === o.excludeClientId)) continue;
        if (out.length === o.limit) {
          return { messages: out, cursor: (out[out.length - 1] as ServerMessage).id, more: true, lastId, epoch };
        }
        out.push(copy(m));
      }
      return { messages: out, cursor: Math.max(o.cursor, lastId), more: false, lastId, epoch };
    },

    renewEpoch(userId, current) {
      checkServerStoreCall('renewEpoch', userId, current);
      const u = users.get(userId);
      if (!u) return '';
      if (u.epoch === current) u.epoch = newEpoch();
      return u.epoch;
    },

    close() {},

    dump(userId) {
      const why = userIdError(userId);
      if (why !== null) throw invalidArgument(`dump: ${why}`);
      return [...(users.get(userId)?.byId.values() ?? [])].map(copy);
    },
  };
}
