-- Made by db50754's server/stores/postgres-schema.ts (schema SQL text) and its PostgreSQL store (rows).
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
INSERT INTO fieldsync_schema (version) VALUES (1);
INSERT INTO fieldsync_users (user_id, last_id) VALUES ('alice', '7');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '1', '2026-12-07T00:52:14.591Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'title', '"Milk"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '2', '2026-12-07T00:52:14.592Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'done', 'false', 'vG0Xw4EI0EnOEkJo');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '3', '2026-12-07T00:52:14.593Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't2', 'title', '"Bread"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '4', '2026-12-07T00:52:14.593Z-0001-vG0Xw4EI0EnOEkJo', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '5', '2026-12-07T00:52:14.657Z-0000--qhSBWwU7X81ER32', 'todos', 't4', 'title', '"Jam"', '-qhSBWwU7X81ER32');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '6', '2026-12-07T00:52:14.658Z-0000--qhSBWwU7X81ER32', 'todos', 't2', '_deleted', 'true', '-qhSBWwU7X81ER32');
INSERT INTO fieldsync_messages (user_id, id, hlc, tbl, row_id, col, value, client_id) VALUES ('alice', '7', '2026-12-07T00:52:14.669Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't4', 'done', 'true', 'vG0Xw4EI0EnOEkJo');
