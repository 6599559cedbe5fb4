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
INSERT INTO "users" VALUES (1, 'alice', 7, 'QArdlxnw29SAgFja');
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T00:52:17.715Z-0000-0U5CxMELEQ-M5IfW', 'todos', 't1', 'title', '"Milk"', '0U5CxMELEQ-M5IfW');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T00:52:17.716Z-0000-0U5CxMELEQ-M5IfW', 'todos', 't1', 'done', 'false', '0U5CxMELEQ-M5IfW');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T00:52:17.717Z-0000-0U5CxMELEQ-M5IfW', 'todos', 't2', 'title', '"Bread"', '0U5CxMELEQ-M5IfW');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T00:52:17.717Z-0001-0U5CxMELEQ-M5IfW', 'todos', 't3', 'title', '"Eggs ''free range'' é"', '0U5CxMELEQ-M5IfW');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T00:52:17.808Z-0000-a0Tfg49eSClBGuXJ', 'todos', 't4', 'title', '"Jam"', 'a0Tfg49eSClBGuXJ');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T00:52:17.809Z-0000-a0Tfg49eSClBGuXJ', 'todos', 't2', '_deleted', 'true', 'a0Tfg49eSClBGuXJ');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T00:52:17.844Z-0000-0U5CxMELEQ-M5IfW', 'todos', 't4', 'done', 'true', '0U5CxMELEQ-M5IfW');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
