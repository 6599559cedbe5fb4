/**
 * The PostgreSQL store's statements (postgres-server-store.ts says how a push and a pull use
 * them): a push's set-based statement, with and without compaction, the pull, and the epoch
 * renewal. Parameters only: no SQL is built from user data.
 */

// Statement 2 of a push. $1 user, $2 last_id before the push, $3..$8 the batch as arrays
// (hlc, table, row, column, value as JSON text, client id), in request order.
const INPUT = `
  input AS (
    SELECT t.hlc COLLATE "C" AS hlc, t.tbl COLLATE "C" AS tbl, t.row_id COLLATE "C" AS row_id,
           t.col COLLATE "C" AS col, t.value, t.client_id COLLATE "C" AS client_id, t.ord
    FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS t(hlc, tbl, row_id, col, value, client_id, ord)
  ),
  fresh AS (
    -- The first occurrence of each hlc that the user does not hold yet. A scalar subquery,
    -- not NOT EXISTS: the planner may turn NOT EXISTS into a hash anti join that reads all
    -- of the user's messages; this stays one (user_id, hlc) index probe per message.
    SELECT DISTINCT ON (i.hlc) i.* FROM input i
    WHERE (SELECT 1 FROM fieldsync_messages m WHERE m.user_id = $1 AND m.hlc = i.hlc) IS NULL
    ORDER BY i.hlc, i.ord
  )`;

// The schema's version comes back from the statement that writes, in its snapshot (one index
// probe, no round trip): a newer process's migration committed before it is seen, and the
// transaction is rolled back (newer-schema.ts); one that commits after waits for our locks.
const STORE_AND_COUNT = `
  inserted AS (
    INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id)
    SELECT $1, k.id, k.hlc, k.tbl, k.row_id, k.col, k.value, k.client_id FROM kept k WHERE k.survives
  ),
  counter AS (
    UPDATE fieldsync_users SET last_id = $2::bigint + (SELECT count(*) FROM kept)
    WHERE user_id = $1 AND EXISTS (SELECT 1 FROM kept)
  )
  SELECT count(*)::int AS stored, (SELECT max(version) FROM fieldsync_schema) AS schema_version FROM kept`;

export const PUSH_PLAIN = `WITH ${INPUT},
  kept AS (
    SELECT f.*, $2::bigint + row_number() OVER (ORDER BY f.ord) AS id, true AS survives FROM fresh f
  ),
  ${STORE_AND_COUNT}`;

// With compaction, as the reference store does it one message at a time: a message is
// kept (and gets an id) when its hlc beats the cell's stored greatest hlc and every
// earlier message of the batch for that cell; of the kept ones, only each cell's last
// (its greatest) is inserted, and the cell's older messages are deleted.
export const PUSH_COMPACTING = `WITH ${INPUT},
  cells AS (
    SELECT c.tbl, c.row_id, c.col,
           (SELECT max(m.hlc) FROM fieldsync_messages m
            WHERE m.user_id = $1 AND m.tbl = c.tbl AND m.row_id = c.row_id AND m.col = c.col) AS hlc
    FROM (SELECT DISTINCT tbl, row_id, col FROM fresh) c
  ),
  ranked AS (
    SELECT f.*, c.hlc AS stored_hlc, greatest(c.hlc, max(f.hlc) OVER (
             PARTITION BY f.tbl, f.row_id, f.col ORDER BY f.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS to_beat
    FROM fresh f JOIN cells c ON c.tbl = f.tbl AND c.row_id = f.row_id AND c.col = f.col
  ),
  winners AS (
    SELECT r.*, $2::bigint + row_number() OVER (ORDER BY r.ord) AS id FROM ranked r
    WHERE r.to_beat IS NULL OR r.hlc > r.to_beat
  ),
  kept AS (
    SELECT w.*, w.hlc = max(w.hlc) OVER (PARTITION BY w.tbl, w.row_id, w.col) AS survives FROM winners w
  ),
  removed AS (
    DELETE FROM fieldsync_messages m USING kept k
    WHERE k.survives AND k.stored_hlc IS NOT NULL
      AND m.user_id = $1 AND m.tbl = k.tbl AND m.row_id = k.row_id AND m.col = k.col AND m.hlc < k.hlc
  ),
  ${STORE_AND_COUNT}`;

// $1 user, $2 cursor, $3 excluded client id, $4 limit, $5 max ids scanned, $6 max page bytes.
// One statement, one snapshot: the page and last_id agree. The page is read from the id
// range (cursor, cursor + $5], at most $4 + 1 rows (one more than asked tells `more`), and
// cut where the values' bytes before a row reach $6 (octet_length needs no detoasting). The
// schema's version, as in a push, comes from a one-row subquery the user's row is joined to:
// a user the database does not hold still gets that row (last_id null), so the version is read
// whoever asks (round 64: with the version in the select list, an unknown user's pull read no
// row, no version, and an old process answered it empty after a newer one's migration).
export const PULL = `
  SELECT u.last_id, u.epoch, p.id, p.hlc, p.tbl, p.row_id, p.col, p.value, p.n, v.schema_version
  FROM (SELECT max(version) AS schema_version FROM fieldsync_schema) v
  LEFT JOIN fieldsync_users u ON u.user_id = $1
  LEFT JOIN LATERAL (
    SELECT w.* FROM (
      SELECT s.*, count(*) OVER () AS n,
             sum(octet_length(s.value)) OVER (ORDER BY s.id ROWS UNBOUNDED PRECEDING) - octet_length(s.value) AS bytes_before
      FROM (
        SELECT m.id, m.hlc, m.tbl, m.row_id, m.col, m.value FROM fieldsync_messages m
        WHERE m.user_id = u.user_id AND m.id > $2::bigint AND m.id <= $2::bigint + $5::bigint AND m.client_id <> $3
        ORDER BY m.id LIMIT $4::int + 1
      ) s
    ) w
    WHERE w.bytes_before < $6::bigint
  ) p ON true
  ORDER BY p.id`;

// $1 user, $2 the epoch to replace, $3 the new one.
export const RENEW_EPOCH = 'UPDATE fieldsync_users SET epoch = $3 WHERE user_id = $1 AND epoch = $2 RETURNING epoch';
// $1 user. A statement of its own after an update that matched nothing (renewEpoch).
export const USER_EPOCH = 'SELECT epoch FROM fieldsync_users WHERE user_id = $1';

export interface PullRow {
  /** null: the database holds no such user (the row carries the schema's version only). */
  readonly last_id: string | null;
  readonly epoch: string | null;
  readonly id: string | null;
  readonly hlc: string;
  readonly tbl: string;
  readonly row_id: string;
  readonly col: string;
  readonly value: string;
  readonly n: string;
  readonly schema_version: number | null;
}
