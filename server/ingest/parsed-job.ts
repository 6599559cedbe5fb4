/**
 * What a parse worker hands the SQLite store's thread for one validated request (issue 12,
 * ingest). The store's thread is the one writer, so the cheaper its share of a push, the
 * more pushes a second of it stores: the messages travel as one flat array of their fields,
 * not as an array of objects. Receiving (the structured clone's reading side) 1,000 message
 * objects costs about 0.7 µs a message; their 5,000 fields about 0.25 µs, and building the
 * objects again a few hundredths.
 */
import type { Message } from 'fieldsync';
import type { parseSyncRequest } from 'fieldsync/server';

/** A request as the parse worker validated it (as everywhere in the server: parseSyncRequest's result). */
type ValidatedSyncRequest = ReturnType<typeof parseSyncRequest>;

/** Fields per message in `ParsedJob.fields`: hlc, table, row, column, value. */
const FIELDS = 5;

export interface ParsedJob {
  readonly id: number;
  readonly userId: string;
  /** The request without its messages. */
  readonly request: Omit<ValidatedSyncRequest, 'messages'>;
  /** hlc, table, row, column, value of each message, in order. */
  readonly fields: readonly unknown[];
}

export function encodeParsedJob(id: number, userId: string, parsed: ValidatedSyncRequest): ParsedJob {
  const { messages, ...request } = parsed;
  const fields: unknown[] = new Array(messages.length * FIELDS);
  let k = 0;
  for (const m of messages) {
    fields[k++] = m.hlc;
    fields[k++] = m.table;
    fields[k++] = m.row;
    fields[k++] = m.column;
    fields[k++] = m.value;
  }
  return { id, userId, request, fields };
}

/** The request as the parse worker validated it, its messages rebuilt in the same order. */
export function decodeParsedJob(job: ParsedJob): ValidatedSyncRequest {
  const { fields } = job;
  const messages: Message[] = new Array(fields.length / FIELDS);
  for (let i = 0, k = 0; k < fields.length; i++, k += FIELDS) {
    messages[i] = { hlc: fields[k], table: fields[k + 1], row: fields[k + 2], column: fields[k + 3], value: fields[k + 4] } as Message;
  }
  return { ...job.request, messages };
}

/** How many messages the job holds (its weight in a group commit's round). */
export const parsedJobSize = (job: ParsedJob): number => job.fields.length / FIELDS;
