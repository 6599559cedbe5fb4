/**
 * The PostgreSQL store's pull (split from postgres-server-store.ts, round 65): one statement,
 * so one snapshot, gives a page of messages after the cursor and the user's `last_id`, which is
 * the cursor returned when the page ends; its schema version too (newer-schema.ts).
 */
import type { JsonValue } from 'fieldsync';
import type { PullOptions, PullResult, ServerMessage } from 'fieldsync/server';
import { toSafeInteger } from './postgres-pool.ts';
import { PULL, type PullRow } from './postgres-sql.ts';
import type { StatementTracker } from './postgres-statements.ts';

export interface PullDeps {
  readonly statements: Pick<StatementTracker, 'query'>;
  /** Throws the newer schema's error if `version` is newer (or one was seen before). */
  readonly checkVersion: (version: number | null | undefined) => void;
  /** A failed statement's error, or the newer schema's that explains it. */
  readonly explainSchema: (err: unknown) => Promise<unknown>;
  readonly maxScanRows: number;
  readonly maxPageBytes: number;
}

/** A page for `userId` after `o.cursor`; the caller has checked the arguments and the latch. */
export function createPostgresPull({ statements, checkVersion, explainSchema, maxScanRows, maxPageBytes }: PullDeps): (userId: string, o: PullOptions) => Promise<PullResult> {
  return async (userId, o) => {
    // No message has an empty client_id: '' leaves none out.
    const { rows } = await statements.query<PullRow>(PULL, [userId, o.cursor, o.includeOwn === true ? '' : o.excludeClientId, o.limit, maxScanRows, maxPageBytes])
      .catch(async (err: unknown) => Promise.reject(await explainSchema(err)));
    const first = rows[0];
    checkVersion(first?.schema_version); // always one row, an unknown user's too (postgres-sql.ts)
    if (!first || first.last_id === null) return { messages: [], cursor: o.cursor, more: false, lastId: 0, epoch: '' }; // an unknown user
    const lastId = toSafeInteger(first.last_id, 'last_id');
    const epoch = first.epoch ?? '';
    const page = first.id === null ? [] : rows;
    const out: ServerMessage[] = [];
    for (const r of page) {
      if (out.length === o.limit) break;
      out.push({ id: toSafeInteger(r.id, 'id'), hlc: r.hlc, table: r.tbl, row: r.row_id, column: r.col, value: JSON.parse(r.value) as JsonValue });
    }
    const cutByBytes = page.length > 0 && toSafeInteger(first.n, 'n') > page.length;
    if (page.length > out.length || cutByBytes) {
      return { messages: out, cursor: (out[out.length - 1] as ServerMessage).id, more: true, lastId, epoch };
    }
    // Every id of the range was looked at. Ids up to last_id are all committed in this
    // snapshot, so the cursor may move to the end of the range, or to last_id.
    const rangeEnd = o.cursor + maxScanRows;
    if (rangeEnd < lastId) return { messages: out, cursor: rangeEnd, more: true, lastId, epoch };
    return { messages: out, cursor: Math.max(o.cursor, lastId), more: false, lastId, epoch };
  };
}
