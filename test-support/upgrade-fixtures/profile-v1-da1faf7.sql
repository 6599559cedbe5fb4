PRAGMA user_version = 1;
CREATE TABLE fieldsync_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
CREATE TABLE fieldsync_messages (
        hlc TEXT PRIMARY KEY NOT NULL,
        tbl TEXT NOT NULL,
        row TEXT NOT NULL,
        col TEXT NOT NULL,
        value TEXT NOT NULL,            -- JSON text, so every value round-trips exactly
        local INTEGER NOT NULL,
        synced INTEGER NOT NULL,
        applied INTEGER NOT NULL,
        error TEXT
      ) WITHOUT ROWID;
CREATE TABLE "lists" (id TEXT PRIMARY KEY NOT NULL, "name" TEXT, "order" TEXT, "createdAt" INTEGER, "_deleted" INTEGER);
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "listId" TEXT, "title" TEXT, "done" INTEGER, "order" TEXT, "createdAt" INTEGER, "_deleted" INTEGER);
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'Pluxf2CzlQO6qa5V');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.198Z-0000-Pluxf2CzlQO6qa5V', 'lists', 'PovrwjEsNEALC7jK', 'name', '"Groceries"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.203Z-0000-Pluxf2CzlQO6qa5V', 'lists', 'PovrwjEsNEALC7jK', 'order', '"a0"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.203Z-0001-Pluxf2CzlQO6qa5V', 'lists', 'PovrwjEsNEALC7jK', 'createdAt', '1796605417198', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.205Z-0000-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'listId', '"PovrwjEsNEALC7jK"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.205Z-0001-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'title', '"Milk"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.205Z-0002-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'done', 'false', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.205Z-0003-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'order', '"a0"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.205Z-0004-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'createdAt', '1796605417205', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.206Z-0000-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', 'listId', '"PovrwjEsNEALC7jK"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.206Z-0001-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', 'title', '"Bread"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.206Z-0002-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', 'done', 'false', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.206Z-0003-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', 'order', '"a1"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.206Z-0004-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', 'createdAt', '1796605417206', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.207Z-0000-Pluxf2CzlQO6qa5V', 'todos', 'vOWpVamzfQKHitQX', 'listId', '"PovrwjEsNEALC7jK"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.207Z-0001-Pluxf2CzlQO6qa5V', 'todos', 'vOWpVamzfQKHitQX', 'title', '"Eggs ''free range'' é"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.207Z-0002-Pluxf2CzlQO6qa5V', 'todos', 'vOWpVamzfQKHitQX', 'done', 'false', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.207Z-0003-Pluxf2CzlQO6qa5V', 'todos', 'vOWpVamzfQKHitQX', 'order', '"a2"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.207Z-0004-Pluxf2CzlQO6qa5V', 'todos', 'vOWpVamzfQKHitQX', 'createdAt', '1796605417207', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.208Z-0000-Pluxf2CzlQO6qa5V', 'todos', '2BO1EFalpmtVQQD1', 'done', 'true', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.208Z-0001-Pluxf2CzlQO6qa5V', 'lists', 'PovrwjEsNEALC7jK', 'name', '"Shopping"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:03:37.209Z-0000-Pluxf2CzlQO6qa5V', 'todos', 'tWpGzr7gsrqZcsT9', '_deleted', 'true', 1, 0, 1, NULL);
INSERT INTO "lists" VALUES ('PovrwjEsNEALC7jK', 'Shopping', 'a0', 1796605417198, NULL);
INSERT INTO "todos" VALUES ('2BO1EFalpmtVQQD1', 'PovrwjEsNEALC7jK', 'Milk', 1, 'a0', 1796605417205, NULL);
INSERT INTO "todos" VALUES ('tWpGzr7gsrqZcsT9', 'PovrwjEsNEALC7jK', 'Bread', 0, 'a1', 1796605417206, 1);
INSERT INTO "todos" VALUES ('vOWpVamzfQKHitQX', 'PovrwjEsNEALC7jK', 'Eggs ''free range'' é', 0, 'a2', 1796605417207, NULL);
CREATE INDEX fieldsync_messages_cell ON fieldsync_messages (tbl, row, col, hlc) WHERE applied = 1;
CREATE INDEX fieldsync_messages_pending ON fieldsync_messages (hlc) WHERE local = 1 AND synced = 0 AND error IS NULL;
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
CREATE INDEX fieldsync_messages_error ON fieldsync_messages (hlc) WHERE error IS NOT NULL;
CREATE INDEX todos_by_list ON todos ("listId");
