/** The shape of the renderer's one store; `createAppStore` in app-store.ts builds it. */
import type { StoreApi } from 'zustand';
import type { AnyRow, AppApi, AppInfo, DeletedEditNotice, InspectorEntry, NetworkConditions, ReplacedNotice, SyncView } from '../../../shared/app-api.ts';
import type { CreateFields, TableName, UpdateFields } from '../../../shared/app-rows.ts';
import type { CreateOptions } from '../../../shared/api-methods.ts';
import type { JsonValue } from 'fieldsync';
import type { Message } from '../lib/display-text.ts';

/**
 * What an action that takes typed text returns. `message` is set when the text itself is the
 * problem: the form shows it next to the input. Other failures become a toast, and the input
 * keeps its text so nothing typed is lost.
 */
export type TextResult = { readonly ok: true } | { readonly ok: false; readonly message: string | null };

export interface Toast {
  readonly id: number;
  readonly kind: 'error' | 'info';
  /** Words that may quote user text (`quoted\`Deleted “${title}”\``): quotes are shown neutralised. */
  readonly message: Message;
  readonly action?: ToastAction;
  /** A toast with the same key replaces this one: one toast per row deleted elsewhere. */
  readonly key?: string;
  /** Stays until dismissed: it holds text that would otherwise be lost. */
  readonly sticky?: boolean;
}

export interface ToastAction {
  /** The visible label: short ("Undo", "Restore"). */
  readonly label: string;
  /**
   * The accessible name, after the action's subject and starting with the label ("Undo delete
   * of “Milk”"): several toasts' buttons are told apart in a screen reader's list of them.
   */
  readonly name: string;
  readonly run: () => void;
  /** Its keyboard shortcut (Toasts.tsx): Ctrl/Cmd+Z for an undo, Alt+Shift+R for a restore. */
  readonly shortcut?: 'undo' | 'restore';
}

/** The rows of one query, as the store holds them. */
export interface RowsState {
  readonly rows: readonly AnyRow[];
  /** False until the first answer: a view shows nothing rather than "empty". */
  readonly loaded: boolean;
}

export type Fields = Readonly<Record<string, JsonValue>>;

export type CreateResult = { readonly ok: true; readonly row: AnyRow } | { readonly ok: false; readonly message: string | null };

/**
 * The rows of every table, generic over the app schema: queries that views watch (all rows
 * of a table, or those of one parent row), the selected row of a table, and the writes.
 * Every write re-reads what it touched afterwards (the rows it changed, not their whole
 * list), so the screen always shows what the core holds, including after a failed call.
 */
export interface DataSlice {
  /** Query results by `queryKey(table, parent)`. */
  readonly queries: Readonly<Record<string, RowsState>>;
  /** The selected row of each table that tracks one (`trackSelection`). */
  readonly selected: Readonly<Partial<Record<TableName, string | null>>>;
  /**
   * The row a restore (an Undo, a deleted edit's Restore) brought back last, once it is read
   * again: its list moves the focus to it (hooks/use-restored-focus.ts). `seq` tells two
   * restores of one row apart.
   */
  readonly restored: { readonly table: string; readonly id: string; readonly seq: number } | null;
  /** Loads a query and keeps it fresh while watched; returns the function that stops watching. */
  watch(table: TableName, parent?: string): () => void;
  /** Re-reads the watched queries of these tables and of the tables below them (all when omitted). */
  refresh(tables?: readonly string[]): Promise<void>;
  /**
   * Re-reads these rows of a table (`rowsById`) and puts each in place in the watched queries
   * it belongs to, or takes it out; the queries of the tables below are re-read whole when
   * one of the rows was deleted or came back.
   */
  refreshRows(table: string, ids: readonly string[]): Promise<void>;
  /** From now on, the table has a selected row: the first at start, a neighbour when it goes. */
  trackSelection(table: TableName): void;
  select(table: TableName, id: string | null): void;
  /**
   * Creates a row; a problem with the typed text comes back as `message`, others as a toast.
   * `{ id }`: the row's id, for one row per key (the API's `create`, docs/fork.md).
   */
  create<T extends TableName>(table: T, fields: CreateFields<T>, options?: CreateOptions): Promise<CreateResult>;
  update<T extends TableName>(table: T, id: string, fields: UpdateFields<T>): Promise<TextResult>;
  move(table: TableName, id: string, toIndex: number): Promise<boolean>;
  /**
   * Deletes a row; with `undo`, a toast offers to bring it back (the same row, in its place,
   * with the rows below it that the delete hid: the API's `restore`).
   */
  remove(table: TableName, id: string, options?: { readonly undo?: boolean }): Promise<boolean>;
  /** Brings a deleted row back (the API's `restore`), as the Undo of `remove` does. */
  restore(table: TableName, id: string): Promise<void>;
}

/** What the inspector is narrowed to: one row, or one cell of it (its history). */
export interface InspectorFilter {
  readonly table: string;
  readonly row: string;
  readonly column?: string;
}

export interface SyncSlice {
  readonly info: AppInfo | null;
  readonly sync: SyncView | null;
  readonly inspector: readonly InspectorEntry[];
  readonly inspectorOpen: boolean;
  /** Null: the newest messages. A row: its messages among them. A cell: its whole history. */
  readonly inspectorFilter: InspectorFilter | null;
  /** The filtered cell's history, winner first, once loaded. */
  readonly cellHistory: readonly InspectorEntry[] | null;
  /** Show the columns the core keeps (order, creation time, parent). */
  readonly showInternal: boolean;
  filterInspector(filter: InspectorFilter | null): void;
  setShowInternal(show: boolean): void;
  setDeviceName(name: string): Promise<TextResult>;
  setNetwork(conditions: NetworkConditions): Promise<void>;
  loadInfo(): Promise<void>;
  loadSync(): Promise<void>;
  /** A `sync` event: always newer than any status request still in flight. */
  receiveSync(view: SyncView): void;
  loadInspector(): Promise<void>;
  setOnline(online: boolean): Promise<void>;
  syncNow(): Promise<void>;
  setInspectorOpen(open: boolean): void;
}

export interface NoticeSlice {
  readonly toasts: readonly Toast[];
  /** Shows an error toast for a failed call (the same message is not stacked twice). */
  reportError(error: unknown): void;
  notify(toast: Omit<Toast, 'id'>): void;
  dismissToast(id: number): void;
  /**
   * How many calls the user made after the page stopped for good (HostLostBanner says why)
   * have failed: each makes the banner say it again, where a toast would repeat its words.
   */
  readonly stoppedRepeats: number;
  /** A call made after the page stopped for good failed: the banner says why again. */
  sayStoppedAgain(): void;
}

export interface ReplacedSlice {
  /** Edits of this instance's that a concurrent one replaced, newest last (see replaced-store.ts). */
  readonly replaced: readonly ReplacedNotice[];
  /** What the live region last said. */
  readonly announcement: string;
  receiveReplaced(notices: readonly ReplacedNotice[]): void;
  dismissReplaced(id: string): void;
  /** This instance wrote these fields again: their notices no longer describe them. */
  settleReplaced(table: string, row: string, columns: readonly string[]): void;
  /** Writes the old value again: a new write, which then wins. */
  restoreReplaced(notice: ReplacedNotice): Promise<void>;
}

export interface DeletedSlice {
  /**
   * Says that a row on screen was deleted on another device, naming the device (see
   * deleted-store.ts). With `lostText`, an edit of it that could not be saved, of `column`
   * (the table's title column unless named): the toast shows the text and offers to add it as
   * a new row.
   */
  reportDeleted(table: TableName, row: AnyRow, lostText?: string, column?: string): Promise<void>;
  /**
   * Says that rows were deleted on another device that had not seen this one's edits of them
   * (the core's `deletedEdits` event): which edits, and a Restore that brings the row back
   * with them.
   */
  reportDeletedEdits(notices: readonly DeletedEditNotice[]): void;
}

export interface AppState extends DataSlice, SyncSlice, NoticeSlice, ReplacedSlice, DeletedSlice {
  /** Subscribes to the API's events and loads everything; returns the function that stops. */
  start(): () => void;
}

export type AppStore = StoreApi<AppState>;

/** What every slice factory receives. */
export interface SliceContext {
  readonly api: AppApi;
  readonly set: AppStore['setState'];
  readonly get: AppStore['getState'];
  readonly inspectorLimit: number;
}
