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
INSERT INTO "users" VALUES (1, 'alice', 7, 'rmJD_1EgkECYhy_r');
INSERT INTO "messages" VALUES (1, 1, 1, '2026-12-07T01:06:14.990Z-0000-TSNi1wBL8L_imvA9', 'todos', 't1', 'title', '"Milk"', 'TSNi1wBL8L_imvA9');
INSERT INTO "messages" VALUES (2, 1, 2, '2026-12-07T01:06:15.020Z-0000-TSNi1wBL8L_imvA9', 'todos', 't1', 'done', 'false', 'TSNi1wBL8L_imvA9');
INSERT INTO "messages" VALUES (3, 1, 3, '2026-12-07T01:06:15.023Z-0000-TSNi1wBL8L_imvA9', 'todos', 't2', 'title', '"Bread"', 'TSNi1wBL8L_imvA9');
INSERT INTO "messages" VALUES (4, 1, 4, '2026-12-07T01:06:15.024Z-0000-TSNi1wBL8L_imvA9', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 'TSNi1wBL8L_imvA9');
INSERT INTO "messages" VALUES (5, 1, 5, '2026-12-07T01:06:16.109Z-0000-hcXQJzkhMRMx3dFt', 'todos', 't4', 'title', '"Jam"', 'hcXQJzkhMRMx3dFt');
INSERT INTO "messages" VALUES (6, 1, 6, '2026-12-07T01:06:16.110Z-0000-hcXQJzkhMRMx3dFt', 'todos', 't2', '_deleted', 'true', 'hcXQJzkhMRMx3dFt');
INSERT INTO "messages" VALUES (7, 1, 7, '2026-12-07T01:06:16.272Z-0000-TSNi1wBL8L_imvA9', 'todos', 't4', 'done', 'true', 'TSNi1wBL8L_imvA9');
CREATE UNIQUE INDEX messages_by_id ON messages (uid, id, client_id);
CREATE UNIQUE INDEX messages_by_hlc ON messages (uid, hlc);
CREATE UNIQUE INDEX messages_by_cell ON messages (uid, tbl, row, col);
