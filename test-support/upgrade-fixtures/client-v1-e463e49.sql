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
CREATE TABLE fieldsync_outbox (
        hlc TEXT PRIMARY KEY NOT NULL,
        tbl TEXT NOT NULL,
        row TEXT NOT NULL,
        col TEXT NOT NULL,
        value TEXT NOT NULL,
        applied INTEGER NOT NULL,
        error TEXT
      ) WITHOUT ROWID;
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "title" TEXT, "_hlc_title" TEXT, "done" INTEGER, "_hlc_done" TEXT, "_deleted" INTEGER, "_hlc__deleted" TEXT);
INSERT INTO "fieldsync_meta" VALUES ('clientId', '2BYNY_8oJXHUPXMK');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('serverEpoch', 'Xe88WBKM-VoySq8a');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796604736160');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.044Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.045Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't1', 'done', 'false', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.045Z-0001-uQUBgJn5cKjjLMP9', 'todos', 't2', 'title', '"Bread"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.046Z-0000-uQUBgJn5cKjjLMP9', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.135Z-0000-2BYNY_8oJXHUPXMK', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:16.143Z-0000-2BYNY_8oJXHUPXMK', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:16.161Z-0001-2BYNY_8oJXHUPXMK', 'todos', 't1', 'title', '"Oat milk"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:16.161Z-0003-2BYNY_8oJXHUPXMK', 'todos', 't1', 'title', '"Soy milk"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:16.161Z-0004-2BYNY_8oJXHUPXMK', 'todos', 't5', 'title', '"Tea"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:16.161Z-0005-2BYNY_8oJXHUPXMK', 'todos', 't5', 'done', 'true', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:16.162Z-0000-2BYNY_8oJXHUPXMK', 'todos', 't3', '_deleted', 'true', 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', '2026-12-07T00:52:16.161Z-0003-2BYNY_8oJXHUPXMK', 0, '2026-12-07T00:52:16.045Z-0000-uQUBgJn5cKjjLMP9', NULL, NULL);
INSERT INTO "todos" VALUES ('t2', 'Bread', '2026-12-07T00:52:16.045Z-0001-uQUBgJn5cKjjLMP9', NULL, NULL, 1, '2026-12-07T00:52:16.143Z-0000-2BYNY_8oJXHUPXMK');
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', '2026-12-07T00:52:16.046Z-0000-uQUBgJn5cKjjLMP9', NULL, NULL, 1, '2026-12-07T00:52:16.162Z-0000-2BYNY_8oJXHUPXMK');
INSERT INTO "todos" VALUES ('t4', 'Jam', '2026-12-07T00:52:16.135Z-0000-2BYNY_8oJXHUPXMK', NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', '2026-12-07T00:52:16.161Z-0004-2BYNY_8oJXHUPXMK', 1, '2026-12-07T00:52:16.161Z-0005-2BYNY_8oJXHUPXMK', NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
