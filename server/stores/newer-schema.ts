/**
 * A database that a newer process migrated while this one ran (round 63): a rolling upgrade
 * where an old process was left beside the upgraded ones. Both stores check the schema version
 * when they open; from then on they check it again where it costs no round trip of its own
 * (SQLite: a page already read, inside each transaction; PostgreSQL: a subquery of the push's
 * lock and of the pull, and after a statement that failed on a table or column it did not
 * find). Once seen, the store refuses everything with this error, without touching the
 * database again: the server answers 503 `unavailable` with Retry-After (its clients go on
 * against the upgraded processes), /healthz answers 503, and one warning names both versions.
 */
export const NEWER_SCHEMA_CODE = 'FIELDSYNC_NEWER_SCHEMA';

export class NewerSchemaError extends Error {
  readonly code = NEWER_SCHEMA_CODE;
  constructor(found: number, known: number) {
    super(
      `the database has schema version ${found}, newer than this server knows (${known}): another process upgraded it while this one ran; this process answers every request 503 from now on (stop it, or upgrade it)`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** Whether `err` is a NewerSchemaError, or one that crossed a thread (its code survives: wire-error.ts). */
export const isNewerSchema = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === NEWER_SCHEMA_CODE;
