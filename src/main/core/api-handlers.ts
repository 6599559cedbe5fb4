/**
 * The API's dispatcher: `dispatch(method, args)` → `Envelope`. Any transport can call it:
 * the Electron IPC binding (after checking the sender) and, later, the browser host's
 * WebSocket bridge; it knows nothing about either.
 *
 * Every call is checked before anything happens: an unknown method, a wrong number of
 * arguments, a wrong type, an empty or overlong title → `invalid_argument`; an id that names
 * no live list or todo → `not_found`. A refused call writes nothing. Anything unexpected is
 * logged here, in the main process, and the caller only gets `internal` with a generic
 * message: stack traces and file paths never reach the renderer.
 */
import { AppError, type AppApi, type AppInfo, type ApiMethod, type Envelope } from '../../shared/app-api.ts';
import { checkListName, checkTitle } from '../../shared/input-rules.ts';
import { FieldsyncError, SchemaError, ValidationError, type SyncClient } from 'fieldsync';
import { API_ARGS, describeArgsError } from './api-args.ts';
import { NOT_CONFIGURED, toInspectorEntry, toSyncView } from './sync-view.ts';
import type { TodoRepo } from './todo-repo.ts';

export type Dispatch = (method: unknown, args: unknown) => Promise<Envelope>;

export interface HandlerDeps {
  readonly repo: TodoRepo;
  readonly client: SyncClient;
  readonly info: () => AppInfo;
  /** False when the app runs without a server (no URL or token). */
  readonly configured: boolean;
  /** Where unexpected errors are reported, with their details. */
  readonly log: (message: string, err: unknown) => void;
}

type Handlers = { [M in ApiMethod]: (...args: Parameters<AppApi[M]>) => ReturnType<AppApi[M]> };

/** Methods that write: they run one at a time, so a move reads the order it then writes after. */
const WRITES = new Set<ApiMethod>(['createList', 'renameList', 'moveList', 'deleteList', 'createTodo', 'renameTodo', 'setTodoDone', 'moveTodo', 'deleteTodo']);

const INTERNAL_MESSAGE = 'Something went wrong. The details are in the app log.';

function valid(result: { ok: true; value: string } | { ok: false; message: string }): string {
  if (!result.ok) throw new AppError('invalid_argument', result.message);
  return result.value;
}

export function createHandlers({ repo, client, info, configured }: HandlerDeps): Handlers {
  const requireList = (id: string) => {
    const list = repo.list(id);
    if (!list) throw new AppError('not_found', 'That list no longer exists.');
    return list;
  };
  const requireTodo = (id: string) => {
    const todo = repo.todo(id);
    if (!todo) throw new AppError('not_found', 'That todo no longer exists.');
    return todo;
  };

  return {
    info: async () => info(),
    lists: async () => repo.lists(),
    todos: async (listId) => {
      requireList(listId);
      return repo.todos(listId);
    },
    createList: async (name) => repo.createList(valid(checkListName(name))),
    renameList: async (id, name) => {
      const value = valid(checkListName(name));
      requireList(id);
      await repo.renameList(id, value);
    },
    moveList: async (id, toIndex) => {
      requireList(id);
      await repo.moveList(id, toIndex);
    },
    deleteList: async (id) => {
      requireList(id);
      await repo.deleteList(id);
    },
    createTodo: async (listId, title) => {
      const value = valid(checkTitle(title));
      requireList(listId);
      return repo.createTodo(listId, value);
    },
    renameTodo: async (id, title) => {
      const value = valid(checkTitle(title));
      requireTodo(id);
      await repo.renameTodo(id, value);
    },
    setTodoDone: async (id, done) => {
      requireTodo(id);
      await repo.setTodoDone(id, done);
    },
    moveTodo: async (id, toIndex) => {
      requireTodo(id);
      await repo.moveTodo(id, toIndex);
    },
    deleteTodo: async (id) => {
      requireTodo(id);
      await repo.deleteTodo(id);
    },
    syncStatus: async () => toSyncView(client.status, configured),
    setOnline: async (online) => client.setOnline(online),
    syncNow: async () => {
      if (!configured) throw new AppError('offline', NOT_CONFIGURED.message);
      if (!client.status.online) throw new AppError('offline', 'This instance is working offline. Turn "Work offline" off to sync.');
      try {
        await client.sync();
      } catch (err) {
        if (err instanceof FieldsyncError && err.code === 'network') {
          throw new AppError('offline', "The server can't be reached. Your changes are kept and sync when it is back.");
        }
        // Any other failure (a refused token, a server error) is what the sync status now
        // shows, with its message: the call itself did what it was asked.
        if (!(err instanceof FieldsyncError)) throw err;
      }
    },
    inspect: async (limit) => (await client.recent(limit)).map(toInspectorEntry),
  };
}

export function toErrorEnvelope(err: unknown, log: HandlerDeps['log'], method: string): Envelope {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  if (err instanceof SchemaError || err instanceof ValidationError) {
    return { ok: false, error: { code: 'invalid_argument', message: err.message } };
  }
  log(`${method} failed`, err);
  return { ok: false, error: { code: 'internal', message: INTERNAL_MESSAGE } };
}

export function createDispatcher(deps: HandlerDeps): Dispatch {
  const handlers = createHandlers(deps);
  let writeQueue: Promise<unknown> = Promise.resolve();

  return async (method, args) => {
    if (typeof method !== 'string' || !Object.hasOwn(API_ARGS, method)) {
      return { ok: false, error: { code: 'invalid_argument', message: `Unknown method: ${String(method).slice(0, 40)}` } };
    }
    const name = method as ApiMethod;
    const parsed = API_ARGS[name].safeParse(args);
    if (!parsed.success) return { ok: false, error: { code: 'invalid_argument', message: describeArgsError(name, parsed.error) } };
    const handler = handlers[name] as (...a: readonly unknown[]) => Promise<unknown>;
    const run = (): Promise<unknown> => handler(...parsed.data);
    try {
      let value: unknown;
      if (WRITES.has(name)) {
        const result = writeQueue.then(run);
        writeQueue = result.catch(() => undefined);
        value = await result;
      } else {
        value = await run();
      }
      return { ok: true, value };
    } catch (err) {
      return toErrorEnvelope(err, deps.log, name);
    }
  };
}
