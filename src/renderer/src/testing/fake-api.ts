/**
 * An in-memory `AppApi` that keeps the contract faithfully: rows sort by fractional `order`
 * then id, input goes through the shared rules and fails with `invalid_argument`, every write
 * becomes per-field messages (visible to the inspector), and data and sync events arrive
 * asynchronously, as they do over IPC. It is the reference fake for renderer tests.
 *
 * Test helpers: `receiveRemote` (another device's write), `setSync` (force a sync state),
 * `failNext` (make the next call of a method fail), and `calls` (what the UI asked for).
 */
import { AppError } from '../../../shared/app-api.ts';
import type { AppApi, AppEvent, AppInfo, ApiMethod, InspectorEntry, SyncView, Todo, TodoList } from '../../../shared/app-api.ts';
import { checkListName, checkTitle } from '../../../shared/input-rules.ts';
import type { JsonValue } from 'fieldsync';
import { CellStore } from './fake-cells.ts';
import { keyBetween } from './fractional-order.ts';

export interface FakeApiOptions {
  readonly profile?: string;
  readonly clientId?: string;
  /** The physical clock, in milliseconds; tests may freeze it. */
  readonly now?: () => number;
}

export interface RemoteWrite {
  readonly table: 'lists' | 'todos';
  readonly row: string;
  readonly values: Readonly<Record<string, JsonValue>>;
  /** The remote HLC's time; older than the local cell's makes the remote write lose. */
  readonly at?: number;
  readonly clientId?: string;
  /** Marks the messages as set aside with this error. */
  readonly error?: string;
}

const byOrder = (a: { order: string; id: string }, b: { order: string; id: string }) =>
  a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function valid(result: { ok: true; value: string } | { ok: false; message: string }): string {
  if (!result.ok) throw new AppError('invalid_argument', result.message);
  return result.value;
}

export class FakeApi implements AppApi {
  readonly calls: Array<{ method: ApiMethod; args: unknown[] }> = [];
  private readonly cells = new CellStore();
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private readonly failures = new Map<ApiMethod, AppError>();
  private readonly now: () => number;
  private readonly appInfo: AppInfo;
  private lastMillis = 0;
  private counter = 0;
  private remoteCounter = 0;
  private nextId = 1;
  private sync: SyncView = { state: 'idle', online: true, pending: 0, rejected: 0, lastSyncAt: null, cursor: 0, error: null, nextRetryAt: null };

  constructor(options: FakeApiOptions = {}) {
    this.now = options.now ?? Date.now;
    this.appInfo = { profile: options.profile ?? 'alice-1', clientId: options.clientId ?? 'k3J9x2QpL0aa', serverUrl: 'http://127.0.0.1:8787', version: '0.1.0' };
  }

  async info() { this.enter('info', []); return this.appInfo; }

  async lists(): Promise<TodoList[]> {
    this.enter('lists', []);
    return this.liveLists();
  }

  async todos(listId: string): Promise<Todo[]> {
    this.enter('todos', [listId]);
    this.requireList(listId);
    return this.liveTodos().filter((t) => t.listId === listId);
  }

  async createList(name: string): Promise<TodoList> {
    this.enter('createList', [name]);
    const id = `list-${this.nextId++}`;
    const order = keyBetween(this.liveLists().at(-1)?.order ?? '', null);
    this.write('lists', id, { name: valid(checkListName(name)), order, createdAt: this.now(), deleted: false });
    return this.requireList(id);
  }

  async renameList(id: string, name: string) { this.enter('renameList', [id, name]); this.requireList(id); this.write('lists', id, { name: valid(checkListName(name)) }); }
  async deleteList(id: string) { this.enter('deleteList', [id]); this.requireList(id); this.write('lists', id, { deleted: true }); }

  async moveList(id: string, toIndex: number) {
    this.enter('moveList', [id, toIndex]);
    this.requireList(id);
    this.write('lists', id, { order: this.orderAt(this.liveLists(), id, toIndex) });
  }

  async createTodo(listId: string, title: string): Promise<Todo> {
    this.enter('createTodo', [listId, title]);
    this.requireList(listId);
    const id = `todo-${this.nextId++}`;
    const last = this.liveTodos().filter((t) => t.listId === listId).at(-1);
    this.write('todos', id, { listId, title: valid(checkTitle(title)), done: false, order: keyBetween(last?.order ?? '', null), createdAt: this.now(), deleted: false });
    return this.requireTodo(id);
  }

  async renameTodo(id: string, title: string) { this.enter('renameTodo', [id, title]); this.requireTodo(id); this.write('todos', id, { title: valid(checkTitle(title)) }); }
  async setTodoDone(id: string, done: boolean) { this.enter('setTodoDone', [id, done]); this.requireTodo(id); this.write('todos', id, { done }); }
  async deleteTodo(id: string) { this.enter('deleteTodo', [id]); this.requireTodo(id); this.write('todos', id, { deleted: true }); }

  async moveTodo(id: string, toIndex: number) {
    this.enter('moveTodo', [id, toIndex]);
    const todo = this.requireTodo(id);
    const siblings = this.liveTodos().filter((t) => t.listId === todo.listId);
    this.write('todos', id, { order: this.orderAt(siblings, id, toIndex) });
  }

  async syncStatus() { this.enter('syncStatus', []); return this.sync; }

  async setOnline(online: boolean) {
    this.enter('setOnline', [online]);
    this.setSync({ online, state: online ? 'idle' : 'offline', error: null });
  }

  /** Pushes every pending local message: they become synced and the cursor moves on. */
  async syncNow() {
    this.enter('syncNow', []);
    if (!this.sync.online) throw new AppError('offline', 'This instance is working offline.');
    this.setSync({ state: 'syncing' });
    const pending = this.cells.log.filter((m) => !m.synced && m.error === null);
    for (const m of pending) m.synced = true;
    this.setSync({ state: 'idle', pending: 0, cursor: this.sync.cursor + pending.length, lastSyncAt: this.now(), error: null });
  }

  async inspect(limit: number): Promise<InspectorEntry[]> {
    this.enter('inspect', [limit]);
    return this.cells.inspect(limit);
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- Test helpers ----

  /** Another device's write arriving through the server. */
  receiveRemote(write: RemoteWrite): void {
    const millis = write.at ?? this.now();
    const clientId = write.clientId ?? 'R3moteClient';
    for (const [column, value] of Object.entries(write.values)) {
      const hlc = `${new Date(millis).toISOString()}-${(this.remoteCounter++ & 0xffff).toString(16).toUpperCase().padStart(4, '0')}-${clientId}`;
      this.cells.apply({ hlc, table: write.table, row: write.row, column, value, origin: 'remote', synced: true, error: write.error ?? null });
    }
    this.setSync({ cursor: this.sync.cursor + Object.keys(write.values).length, lastSyncAt: this.now() });
    this.emit({ type: 'data', source: 'remote', tables: [write.table] });
  }

  setSync(patch: Partial<SyncView>): void {
    this.sync = { ...this.sync, ...patch };
    this.emit({ type: 'sync', sync: this.sync });
  }

  failNext(method: ApiMethod, error: AppError): void {
    this.failures.set(method, error);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  // ---- Internals ----

  private enter(method: ApiMethod, args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }

  private emit(event: AppEvent): void {
    // Over IPC, events arrive as separate messages, after the call that caused them returns.
    setTimeout(() => {
      for (const listener of this.listeners) listener(event);
    }, 0);
  }

  private tick(): string {
    const millis = Math.max(this.now(), this.lastMillis);
    this.counter = millis === this.lastMillis ? this.counter + 1 : 0;
    this.lastMillis = millis;
    return `${new Date(millis).toISOString()}-${this.counter.toString(16).toUpperCase().padStart(4, '0')}-${this.appInfo.clientId}`;
  }

  private write(table: 'lists' | 'todos', row: string, values: Record<string, JsonValue>): void {
    for (const [column, value] of Object.entries(values)) {
      this.cells.apply({ hlc: this.tick(), table, row, column, value, origin: 'local', synced: false, error: null });
    }
    this.emit({ type: 'data', source: 'local', tables: [table] });
    this.setSync({ pending: this.cells.log.filter((m) => !m.synced && m.error === null).length });
  }

  private liveLists(): TodoList[] {
    return this.cells
      .rows('lists')
      .filter((r) => r.values.deleted !== true && typeof r.values.name === 'string')
      .map((r) => ({ id: r.id, name: r.values.name as string, order: String(r.values.order ?? ''), createdAt: Number(r.values.createdAt ?? 0) }))
      .sort(byOrder);
  }

  /** Live todos of live lists, in order. */
  private liveTodos(): Todo[] {
    const lists = new Set(this.liveLists().map((l) => l.id));
    return this.cells
      .rows('todos')
      .filter((r) => r.values.deleted !== true && typeof r.values.title === 'string' && lists.has(String(r.values.listId)))
      .map((r) => ({ id: r.id, listId: String(r.values.listId), title: r.values.title as string, done: r.values.done === true, order: String(r.values.order ?? ''), createdAt: Number(r.values.createdAt ?? 0) }))
      .sort(byOrder);
  }

  private requireList(id: string): TodoList {
    const list = this.liveLists().find((l) => l.id === id);
    if (!list) throw new AppError('not_found', 'That list no longer exists.');
    return list;
  }

  private requireTodo(id: string): Todo {
    const todo = this.liveTodos().find((t) => t.id === id);
    if (!todo) throw new AppError('not_found', 'That todo no longer exists.');
    return todo;
  }

  /** The order key that puts `id` at `toIndex` among `items` (clamped to the ends). */
  private orderAt(items: ReadonlyArray<{ id: string; order: string }>, id: string, toIndex: number): string {
    if (!Number.isInteger(toIndex)) throw new AppError('invalid_argument', 'The position must be a whole number.');
    const others = items.filter((i) => i.id !== id);
    const at = Math.max(0, Math.min(toIndex, others.length));
    return keyBetween(others[at - 1]?.order ?? '', others[at]?.order ?? null);
  }
}
