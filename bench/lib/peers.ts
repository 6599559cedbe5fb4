/**
 * The peers of the `peers` workload, each receiving another device's changes the way its
 * docs say: the sender makes each page of changes in one transaction and sends that
 * transaction's update in the peer's own encoding; the receiver applies the updates in
 * order. Only the receiver's side is timed. Each table row is a nested map (Yjs: a Y.Map
 * per row; TinyBase: its tables, rows and cells; Automerge: an object per row).
 */
import * as Automerge from '@automerge/automerge';
import { createMergeableStore, type MergeableChanges } from 'tinybase';
import * as Y from 'yjs';
import type { Change } from './peer-changes.ts';

export interface Peer<U> {
  readonly name: string;
  /** The sender: one update per page, in the peer's own encoding. */
  send(pages: readonly Change[][]): U[];
  /** Bytes of an update as it would travel. */
  bytes(update: U): number;
  /** The receiver: a fresh replica that applies every update; returns the replica (to keep it alive while its heap is read). */
  receive(updates: readonly U[]): unknown;
}

const yjs: Peer<Uint8Array> = {
  name: 'Yjs',
  send(pages) {
    const doc = new Y.Doc();
    const todos = doc.getMap<Y.Map<unknown>>('todos');
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (const page of pages) {
      doc.transact(() => {
        for (const c of page) {
          let row = todos.get(c.row);
          if (!row) todos.set(c.row, (row = new Y.Map()));
          row.set(c.column, c.value);
        }
      });
    }
    return updates;
  },
  bytes: (u) => u.byteLength,
  receive(updates) {
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u);
    return doc;
  },
};

const tinybase: Peer<string> = {
  name: 'TinyBase',
  send(pages) {
    const store = createMergeableStore('sender');
    const updates: string[] = [];
    // What TinyBase's synchronizers send: a transaction's mergeable changes, as JSON.
    store.addDidFinishTransactionListener(() => updates.push(JSON.stringify(store.getTransactionMergeableChanges())));
    for (const page of pages) {
      store.transaction(() => {
        for (const c of page) store.setCell('todos', c.row, c.column, c.value as string | number | boolean);
      });
    }
    return updates;
  },
  bytes: (u) => Buffer.byteLength(u),
  receive(updates) {
    const store = createMergeableStore('receiver');
    for (const u of updates) store.applyMergeableChanges(JSON.parse(u) as MergeableChanges);
    return store;
  },
};

type TodoDoc = { todos: Record<string, Record<string, string | number | boolean>> };

const automerge: Peer<Uint8Array> = {
  name: 'Automerge',
  send(pages) {
    let doc = Automerge.from<TodoDoc>({ todos: {} });
    const updates: Uint8Array[] = [Automerge.getLastLocalChange(doc) as Uint8Array];
    for (const page of pages) {
      doc = Automerge.change(doc, (d) => {
        for (const c of page) {
          const row = (d.todos[c.row] ??= {});
          row[c.column] = c.value as string | number | boolean;
        }
      });
      updates.push(Automerge.getLastLocalChange(doc) as Uint8Array);
    }
    return updates;
  },
  bytes: (u) => u.byteLength,
  receive(updates) {
    let doc = Automerge.init<TodoDoc>();
    for (const u of updates) [doc] = Automerge.applyChanges(doc, [u]);
    return doc;
  },
};

export const PEERS = [yjs, tinybase, automerge] as const;
