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
INSERT INTO "users" VALUES (1, 'alice', 7, 'bdntVwS62eCRP9Cu');
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T01:06:28.221Z-0000-5B3XeFRhk25C_Avu', 'todos', 't1', 'title', '"Milk"', '5B3XeFRhk25C_Avu');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T01:06:28.223Z-0000-5B3XeFRhk25C_Avu', 'todos', 't1', 'done', 'false', '5B3XeFRhk25C_Avu');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T01:06:28.224Z-0000-5B3XeFRhk25C_Avu', 'todos', 't2', 'title', '"Bread"', '5B3XeFRhk25C_Avu');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T01:06:28.224Z-0001-5B3XeFRhk25C_Avu', 'todos', 't3', 'title', '"Eggs ''free range'' é"', '5B3XeFRhk25C_Avu');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T01:06:28.831Z-0000-DhOO8J0SODRUoZVj', 'todos', 't4', 'title', '"Jam"', 'DhOO8J0SODRUoZVj');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T01:06:28.836Z-0000-DhOO8J0SODRUoZVj', 'todos', 't2', '_deleted', 'true', 'DhOO8J0SODRUoZVj');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T01:06:29.011Z-0000-5B3XeFRhk25C_Avu', 'todos', 't4', 'done', 'true', '5B3XeFRhk25C_Avu');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
