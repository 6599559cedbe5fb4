/**
 * The arguments each API method accepts, as zod tuples: the exact number of arguments, each
 * of the right type and size. Everything that arrives from a renderer (or, later, a browser
 * over a WebSocket) is checked here before any handler runs; titles and names are checked
 * again by the shared input rules, which also give the user-facing message.
 */
import { z } from 'zod';
import type { ApiMethod } from '../../shared/app-api.ts';
import { ROW_MAX_CHARS } from 'fieldsync';

/** A row id: never empty, never longer than the protocol allows. */
const id = z.string().min(1).max(ROW_MAX_CHARS * 2);
/** Text is checked by `checkTitle`/`checkListName`; this only bounds what is worth reading. */
const text = z.string().max(100_000);
/** A position; out-of-range positions are clamped to the ends. */
const index = z.number().int().min(-1_000_000).max(1_000_000);
export const INSPECT_MAX = 1000;

export const API_ARGS = {
  info: z.tuple([]),
  lists: z.tuple([]),
  todos: z.tuple([id]),
  createList: z.tuple([text]),
  renameList: z.tuple([id, text]),
  moveList: z.tuple([id, index]),
  deleteList: z.tuple([id]),
  createTodo: z.tuple([id, text]),
  renameTodo: z.tuple([id, text]),
  setTodoDone: z.tuple([id, z.boolean()]),
  moveTodo: z.tuple([id, index]),
  deleteTodo: z.tuple([id]),
  syncStatus: z.tuple([]),
  setOnline: z.tuple([z.boolean()]),
  syncNow: z.tuple([]),
  inspect: z.tuple([z.number().int().min(1).max(INSPECT_MAX)]),
} as const satisfies Record<ApiMethod, z.ZodType<readonly unknown[]>>;

/** A short description of what is wrong, naming the argument (1-based) but never echoing its value. */
export function describeArgsError(method: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `Invalid arguments for ${method}.`;
  const where = issue.path.length > 0 ? `argument ${Number(issue.path[0]) + 1}` : 'the arguments';
  return `Invalid arguments for ${method}: ${where}: ${issue.message}`;
}
