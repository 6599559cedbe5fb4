/** The shape of the renderer's one store; `createAppStore` in app-store.ts builds it. */
import type { StoreApi } from 'zustand';
import type { AppApi, AppInfo, InspectorEntry, SyncView, Todo, TodoList } from '../../../shared/app-api.ts';

export type TodoFilter = 'all' | 'active' | 'done';

/**
 * What an action that takes typed text returns. `message` is set when the text itself is the
 * problem: the form shows it next to the input. Other failures become a toast, and the input
 * keeps its text so nothing typed is lost.
 */
export type TextResult = { readonly ok: true } | { readonly ok: false; readonly message: string | null };

export interface Toast {
  readonly id: number;
  readonly kind: 'error' | 'info';
  readonly message: string;
  readonly action?: { readonly label: string; readonly run: () => void };
}

export interface DataSlice {
  readonly lists: readonly TodoList[];
  readonly listsLoaded: boolean;
  readonly selectedListId: string | null;
  readonly todos: readonly Todo[];
  /** The list `todos` belongs to: while it differs from `selectedListId`, todos are loading. */
  readonly todosListId: string | null;
  readonly filter: TodoFilter;
  loadLists(): Promise<void>;
  loadTodos(): Promise<void>;
  selectList(id: string): void;
  setFilter(filter: TodoFilter): void;
  createList(name: string): Promise<TextResult>;
  renameList(id: string, name: string): Promise<TextResult>;
  moveList(id: string, toIndex: number): Promise<boolean>;
  deleteList(id: string): Promise<boolean>;
  createTodo(title: string): Promise<TextResult>;
  renameTodo(id: string, title: string): Promise<TextResult>;
  setTodoDone(id: string, done: boolean): Promise<boolean>;
  moveTodo(id: string, toIndex: number): Promise<boolean>;
  /** Deletes a todo and offers to undo it from a toast. */
  deleteTodo(id: string): Promise<boolean>;
}

export interface SyncSlice {
  readonly info: AppInfo | null;
  readonly sync: SyncView | null;
  readonly inspector: readonly InspectorEntry[];
  readonly inspectorOpen: boolean;
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
}

export interface AppState extends DataSlice, SyncSlice, NoticeSlice {
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
