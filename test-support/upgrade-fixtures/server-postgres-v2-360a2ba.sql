-- Made by 360a2ba's server/stores/postgres-schema.ts (schema SQL text) and its PostgreSQL store (rows).
CREATE TABLE fieldsync_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
-- migration 1
CREATE TABLE fieldsync_users (
  user_id text COLLATE "C" PRIMARY KEY,
  last_id bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE fieldsync_messages (
  user_id   text COLLATE "C" NOT NULL,
  id        bigint NOT NULL,
  hlc       text COLLATE "C" NOT NULL,
  tbl       text COLLATE "C" NOT NULL,
  row_id    text COLLATE "C" NOT NULL,
  col       text COLLATE "C" NOT NULL,
  value     text NOT NULL,
  client_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id, id),
  UNIQUE (user_id, hlc)
  );
  CREATE INDEX fieldsync_messages_by_cell ON fieldsync_messages (user_id, tbl, row_id, col, hlc);
-- migration 2
ALTER TABLE fieldsync_users ADD COLUMN epoch text COLLATE "C" NOT NULL DEFAULT '';
  UPDATE fieldsync_users SET epoch = substr(md5(random()::text || clock_timestamp()::text), 1, 16);
INSERT INTO fieldsync_schema (version) VALUES (1);
INSERT INTO fieldsync_schema (version) VALUES (2);
INSERT INTO fieldsync_users (user_id, last_id, epoch) VALUES ('alice', '7', 'fzd7cj0BMbBsgRdL');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '1', '2026-12-07T00:52:19.659Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't1', 'title', '"Milk"', '4R9Ysyo4NpFBijJV');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '2', '2026-12-07T00:52:19.660Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't1', 'done', 'false', '4R9Ysyo4NpFBijJV');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '3', '2026-12-07T00:52:19.660Z-0001-4R9Ysyo4NpFBijJV', 'todos', 't2', 'title', '"Bread"', '4R9Ysyo4NpFBijJV');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '4', '2026-12-07T00:52:19.660Z-0002-4R9Ysyo4NpFBijJV', 'todos', 't3', 'title', '"Eggs ''free range'' é"', '4R9Ysyo4NpFBijJV');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '5', '2026-12-07T00:52:19.740Z-0000-hAigxiUzCU1WD9pt', 'todos', 't4', 'title', '"Jam"', 'hAigxiUzCU1WD9pt');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '6', '2026-12-07T00:52:19.741Z-0000-hAigxiUzCU1WD9pt', 'todos', 't2', '_deleted', 'true', 'hAigxiUzCU1WD9pt');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '7', '2026-12-07T00:52:19.755Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't4', 'done', 'true', '4R9Ysyo4NpFBijJV');
