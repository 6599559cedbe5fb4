/**
 * What a parse worker hands the SQLite store's thread for one validated request (issue 12,
 * ingest). The store's thread is the one writer, so the cheaper its share of a push, the
 * more pushes a second of it stores. So the parse worker does there what it can:
 *
 * - The messages travel as one flat, packed array of their fields, not as objects: receiving
 *   1,000 message objects costs the writer about 0.7 µs a message; their fields 0.13. (A
 *   holey array, such as `new Array(n)` filled in, is cloned as a sparse one, element by
 *   element: 0.32.)
 * - Each value travels as its JSON text, which the store writes as it is (JsonValueMessage):
 *   the writer makes no JSON.stringify.
 * - The clock-drift check is made in the parse worker (`driftCheckedAt`).
 */
import type { parseSyncRequest } from 'fieldsync/server';
import { JsonValueMessage } from '../stores/push-writer.ts';

/** A request as the parse worker validated it (as everywhere in the server: parseSyncRequest's result). */
type ValidatedSyncRequest = ReturnType<typeof parseSyncRequest>;

/** Fields per message in `ParsedJob.fields`: hlc, table, row, column, value's JSON text. */
const FIELDS = 5;

export interface ParsedJob {
  readonly id: number;
  readonly userId: string;
  /** The request without its messages. */
  readonly request: Omit<ValidatedSyncRequest, 'messages'>;
  /** hlc, table, row, column, JSON text of the value of each message, in order. */
  readonly fields: readonly string[];
  /** The server time (ms) the clock-drift check was made with, in the parse worker; absent: not made. */
  readonly driftCheckedAt?: number;
  /** When the request reached the server (job-queue.ts, `arrivalClock`); absent: not said. */
  readonly arrivedAt?: number;
}

export function encodeParsedJob(
  id: number,
  userId: string,
  parsed: ValidatedSyncRequest,
  times: { readonly driftCheckedAt?: number | undefined; readonly arrivedAt?: number | undefined } = {},
): ParsedJob {
  const { messages, ...request } = parsed;
  // Filled by push(), so that the array stays packed (see above).
  const fields: string[] = [];
  for (const m of messages) fields.push(m.hlc, m.table, m.row, m.column, JSON.stringify(m.value));
  const { driftCheckedAt, arrivedAt } = times;
  return { id, userId, request, fields, ...(driftCheckedAt === undefined ? {} : { driftCheckedAt }), ...(arrivedAt === undefined ? {} : { arrivedAt }) };
}

/** The request as the parse worker validated it, its messages rebuilt in the same order (values as JSON text). */
export function decodeParsedJob(job: ParsedJob): ValidatedSyncRequest {
  const { fields } = job;
  const messages = new Array<JsonValueMessage>(fields.length / FIELDS);
  for (let i = 0, k = 0; k < fields.length; i++, k += FIELDS) {
    messages[i] = new JsonValueMessage(fields[k] as string, fields[k + 1] as string, fields[k + 2] as string, fields[k + 3] as string, fields[k + 4] as string);
  }
  return { ...job.request, messages };
}

/** How many messages the job holds (its weight in a group commit's round). */
export const parsedJobSize = (job: ParsedJob): number => job.fields.length / FIELDS;
