PRAGMA user_version = 1;
CREATE TABLE users (
     uid     INTEGER PRIMARY KEY,
     name    TEXT NOT NULL UNIQUE,
     last_id INTEGER NOT NULL DEFAULT 0
   );
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
INSERT INTO "users" VALUES (1, 'alice', 7);
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T00:52:14.591Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'title', '"Milk"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T00:52:14.592Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'done', 'false', 'vG0Xw4EI0EnOEkJo');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T00:52:14.593Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't2', 'title', '"Bread"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T00:52:14.593Z-0001-vG0Xw4EI0EnOEkJo', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 'vG0Xw4EI0EnOEkJo');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T00:52:14.657Z-0000--qhSBWwU7X81ER32', 'todos', 't4', 'title', '"Jam"', '-qhSBWwU7X81ER32');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T00:52:14.658Z-0000--qhSBWwU7X81ER32', 'todos', 't2', '_deleted', 'true', '-qhSBWwU7X81ER32');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T00:52:14.669Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't4', 'done', 'true', 'vG0Xw4EI0EnOEkJo');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
