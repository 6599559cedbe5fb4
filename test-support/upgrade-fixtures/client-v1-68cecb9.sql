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
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "title" TEXT, "done" INTEGER, "_deleted" INTEGER);
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'wp_GqxyaThD95CCa');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796605096850');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.758Z-0000-Go-NeMDnG--KfK7t', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.768Z-0000-Go-NeMDnG--KfK7t', 'todos', 't1', 'done', 'false', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.770Z-0000-Go-NeMDnG--KfK7t', 'todos', 't2', 'title', '"Bread"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.770Z-0001-Go-NeMDnG--KfK7t', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.848Z-0001-wp_GqxyaThD95CCa', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.849Z-0000-wp_GqxyaThD95CCa', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.850Z-0000-wp_GqxyaThD95CCa', 'todos', 't1', 'title', '"Oat milk"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.850Z-0001-wp_GqxyaThD95CCa', 'todos', 't1', 'title', '"Soy milk"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.850Z-0002-wp_GqxyaThD95CCa', 'todos', 't5', 'title', '"Tea"', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.850Z-0003-wp_GqxyaThD95CCa', 'todos', 't5', 'done', 'true', 1, 0, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:58:16.851Z-0000-wp_GqxyaThD95CCa', 'todos', 't3', '_deleted', 'true', 1, 0, 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', 0, NULL);
INSERT INTO "todos" VALUES ('t2', 'Bread', NULL, 1);
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', NULL, 1);
INSERT INTO "todos" VALUES ('t4', 'Jam', NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', 1, NULL);
CREATE INDEX fieldsync_messages_cell ON fieldsync_messages (tbl, row, col, hlc) WHERE applied = 1;
CREATE INDEX fieldsync_messages_pending ON fieldsync_messages (hlc) WHERE local = 1 AND synced = 0 AND error IS NULL;
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
CREATE INDEX fieldsync_messages_error ON fieldsync_messages (hlc) WHERE error IS NOT NULL;
