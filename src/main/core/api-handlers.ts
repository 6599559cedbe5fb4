/**
 * The API's dispatcher: `dispatch(method, args)` → `Envelope`. Any transport can call it:
 * the Electron IPC binding (after checking the sender) and the browser host's WebSocket
 * bridge; it knows nothing about either.
 *
 * Every call is checked before anything happens: an unknown method, a wrong number of
 * arguments, a wrong type (the zod tuples of `API_METHODS`), a field the table does not
 * have, an empty or overlong title (the app schema's rules) → `invalid_argument`; an id
 * that names no live row → `not_found`. A refused call writes nothing. Anything unexpected
 * is logged here, in the main process, and the caller only gets `internal` with a generic
 * message: stack traces and file paths never reach the renderer.
 */
import { en as englishErrors } from 'zod/locales';
import { API_METHODS, describeArgsError, isApiMethod, type ApiArgs, type ApiMethod, type ApiResult } from '../../shared/api-methods.ts';
import { AppError, type AppInfo, type Envelope } from '../../shared/app-api.ts';
import type { AppSchema, AppTable } from '../../shared/app-schema-kit.ts';
import { checkFields, type FieldsCheck } from '../../shared/field-checks.ts';
import { SchemaError, ValidationError, type SyncClient } from 'fieldsync';
import { createSyncHandlers, type SyncHandlerDeps } from './sync-handlers.ts';
import type { TableRepo } from './table-repo.ts';

export type Dispatch = (method: unknown, args: unknown) => Promise<Envelope>;

export interface HandlerDeps extends SyncHandlerDeps {
  readonly schema: AppSchema;
  readonly repo: TableRepo;
  readonly client: SyncClient;
  readonly info: () => AppInfo;
  /** False when the app runs without a server (no URL or token). */
  readonly configured: boolean;
  /** Where unexpected errors are reported, with their details. */
  readonly log: (message: string, err: unknown) => void;
}

/** One handler per method of the table: the compiler holds the two to the same names and types. */
type Handlers = { readonly [M in ApiMethod]: (...args: ApiArgs<M>) => Promise<ApiResult<M>> };

const INTERNAL_MESSAGE = 'Something went wrong. The details are in the app log.';
/** zod/mini (see api-methods.ts) loads no messages by itself: the checks say what is wrong in English. */
const ARGS_ERRORS = { error: englishErrors().localeError };

function valid(result: FieldsCheck): FieldsCheck & { ok: true } {
  if (!result.ok) throw new AppError('invalid_argument', result.message);
  return result;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { schema, repo, info } = deps;
  const tableOf = (name: string): AppTable => {
    const t = schema.table(name);
    if (!t) throw new AppError('invalid_argument', `Unknown table: ${name.slice(0, 40)}.`);
    return t;
  };
  const requireRow = (t: AppTable, id: string) => {
    const row = repo.row(t.name, id);
    if (!row) throw new AppError('not_found', `That ${t.noun} no longer exists.`);
    return row;
  };
  const requireParent = (t: AppTable, fields: Readonly<Record<string, unknown>>) => {
    if (t.parent) requireRow(tableOf(t.parent.table), fields[t.parent.column] as string);
  };

  /**
   * A chosen id of a row with a parent is `<parent's id>:<key>` (round 59). Two devices that
   * create one key offline under different parents then make two rows. With the key alone
   * they made one row whose every field, its parent too, went to the later write: a check-in
   * of one habit could end under the other with a mix of both's fields. The parent is what
   * comes before the last colon, so the key has none (a parent's id may: `habit:day:set`).
   */
  function requireScopedId(t: AppTable, id: string, parentId: string): void {
    const at = id.lastIndexOf(':');
    if (at !== -1 && at < id.length - 1 && id.slice(0, at) === parentId) return;
    const parent = tableOf((t.parent as { table: string }).table);
    throw new AppError('invalid_argument', `A ${t.noun}'s chosen id is its ${parent.noun}'s id, a colon and a key without colons ("${parentId}:…"): the same key under two ${parent.plural} would be one row.`);
  }

  return {
    info: async () => info(),
    rows: async (table, query) => {
      const t = tableOf(table);
      if (query.parent === undefined) return repo.rows(table);
      if (!t.parent) throw new AppError('invalid_argument', `The ${t.plural} belong to no other row: leave out "parent".`);
      requireRow(tableOf(t.parent.table), query.parent);
      return repo.rows(table, query.parent);
    },
    rowsById: async (table, ids) => {
      tableOf(table);
      return ids.map((id) => repo.row(table, id) ?? null);
    },
    create: async (table, fields, options) => {
      const t = tableOf(table);
      const checked = valid(checkFields(schema, t, fields, 'create')).fields;
      requireParent(t, checked);
      const id = options?.id;
      if (id !== undefined && t.parent) {
        requireScopedId(t, id, checked[t.parent.column] as string);
        // A row's parent never changes (update refuses it too): a create of that id under
        // another parent would take a row, or its hidden edits, from one list to another.
        const parentColumn = t.parent.column;
        const live = repo.row(table, id);
        const was = live ? live[parentColumn] : repo.deleted(table, id)?.parentId;
        if (was !== undefined && was !== null && was !== checked[parentColumn]) {
          throw new AppError('invalid_argument', `A ${t.noun} of that id belongs to another ${tableOf(t.parent.table).noun}.`);
        }
      }
      return repo.create(table, checked, id);
    },
    update: async (table, id, fields) => {
      const t = tableOf(table);
      const checked = valid(checkFields(schema, t, fields, 'update')).fields;
      requireRow(t, id);
      await repo.update(table, id, checked);
    },
    move: async (table, id, toIndex) => {
      const t = tableOf(table);
      if (t.orderColumn === null) throw new AppError('invalid_argument', `The ${t.plural} have no order to change.`);
      requireRow(t, id);
      await repo.move(table, id, toIndex);
    },
    delete: async (table, id) => {
      requireRow(tableOf(table), id);
      await repo.delete(table, id);
    },
    restore: async (table, id) => {
      const t = tableOf(table);
      // Back already: a second Undo, or another device's.
      const live = repo.row(table, id);
      if (live) return live;
      const gone = repo.deleted(table, id);
      if (!gone) throw new AppError('not_found', `That ${t.noun} no longer exists.`);
      // Under a parent deleted since, it would stay hidden, and come back unasked with it.
      if (t.parent) requireRow(tableOf(t.parent.table), gone.parentId ?? '');
      const row = await repo.restore(table, id);
      if (!row) throw new AppError('not_found', `That ${t.noun} no longer exists.`);
      return row;
    },
    ...createSyncHandlers(deps),
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
    if (!isApiMethod(method)) {
      return { ok: false, error: { code: 'invalid_argument', message: `Unknown method: ${String(method).slice(0, 40)}` } };
    }
    const { kind, args: argsSchema } = API_METHODS[method];
    const parsed = argsSchema.safeParse(args, ARGS_ERRORS);
    if (!parsed.success) return { ok: false, error: { code: 'invalid_argument', message: describeArgsError(method, parsed.error) } };
    const handler = handlers[method] as (...a: readonly unknown[]) => Promise<unknown>;
    const run = (): Promise<unknown> => handler(...parsed.data);
    try {
      let value: unknown;
      // Writes run one at a time: a move reads the order it then writes after.
      if (kind === 'write') {
        const result = writeQueue.then(run);
        writeQueue = result.catch(() => undefined);
        value = await result;
      } else {
        value = await run();
      }
      return { ok: true, value };
    } catch (err) {
      return toErrorEnvelope(err, deps.log, method);
    }
  };
}
