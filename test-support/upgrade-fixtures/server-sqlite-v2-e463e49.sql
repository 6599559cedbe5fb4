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
INSERT INTO "users" VALUES (1, 'alice', 7, 'Xe88WBKM-VoySq8a');
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T00:52:16.044Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't1', 'title', '"Milk"', 'uQUBgJn5cKjjLMP9');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T00:52:16.045Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't1', 'done', 'false', 'uQUBgJn5cKjjLMP9');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T00:52:16.045Z-0001-uQUBgJn5cKjjLMP9', 'todos', 't2', 'title', '"Bread"', 'uQUBgJn5cKjjLMP9');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T00:52:16.046Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 'uQUBgJn5cKjjLMP9');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T00:52:16.135Z-0000-2BYNY_8oJXHUPXMK', 'todos', 't4', 'title', '"Jam"', '2BYNY_8oJXHUPXMK');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T00:52:16.143Z-0000-2BYNY_8oJXHUPXMK', 'todos', 't2', '_deleted', 'true', '2BYNY_8oJXHUPXMK');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T00:52:16.162Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't4', 'done', 'true', 'uQUBgJn5cKjjLMP9');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
