PRAGMA user_version = 2;
CREATE TABLE users (
     uid     INTEGER PRIMARY KEY,
     name    TEXT NOT NULL UNIQUE,
     last_id INTEGER NOT NULL DEFAULT 0
   , epoch TEXT NOT NULL DEFAULT '');
CREATE TABLE messages (
     seq       INTEGER PRIMARY KEY,
     uid       INTEGER NOT NULL,
     id        INTEGER NOT NULL,
     hlc       TEXT NOT NULL,
     tbl       TEXT NOT NULL,
     row       TEXT NOT NULL,
     col       TEXT NOT NULL,
     value     TEXT NOT NULL,
     client_id TEXT NOT NULL
   );
INSERT INTO "users" VALUES (1, 'alice', 7, 'WR1CBmUsDlOsN2Zh');
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T00:52:19.659Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't1', 'title', '"Milk"', '4R9Ysyo4NpFBijJV');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T00:52:19.660Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't1', 'done', 'false', '4R9Ysyo4NpFBijJV');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T00:52:19.660Z-0001-4R9Ysyo4NpFBijJV', 'todos', 't2', 'title', '"Bread"', '4R9Ysyo4NpFBijJV');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T00:52:19.660Z-0002-4R9Ysyo4NpFBijJV', 'todos', 't3', 'title', '"Eggs ''free range'' é"', '4R9Ysyo4NpFBijJV');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T00:52:19.740Z-0000-hAigxiUzCU1WD9pt', 'todos', 't4', 'title', '"Jam"', 'hAigxiUzCU1WD9pt');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T00:52:19.741Z-0000-hAigxiUzCU1WD9pt', 'todos', 't2', '_deleted', 'true', 'hAigxiUzCU1WD9pt');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T00:52:19.755Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't4', 'done', 'true', '4R9Ysyo4NpFBijJV');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
