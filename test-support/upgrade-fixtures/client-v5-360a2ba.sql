PRAGMA user_version = 5;
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
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "title" TEXT, "_hlc_title" TEXT, "_pending_title" INTEGER, "done" INTEGER, "_hlc_done" TEXT, "_pending_done" INTEGER, "_deleted" INTEGER, "_hlc__deleted" TEXT, "_pending__deleted" INTEGER, "_unpushed" TEXT);
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'hAigxiUzCU1WD9pt');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('_pulledRecent', '[["2026-12-07T00:52:19.659Z-0000-4R9Ysyo4NpFBijJV","todos","t1","title","Milk"],["2026-12-07T00:52:19.660Z-0000-4R9Ysyo4NpFBijJV","todos","t1","done",false],["2026-12-07T00:52:19.660Z-0001-4R9Ysyo4NpFBijJV","todos","t2","title","Bread"],["2026-12-07T00:52:19.660Z-0002-4R9Ysyo4NpFBijJV","todos","t3","title","Eggs ''free range'' é"]]');
INSERT INTO "fieldsync_meta" VALUES ('_pulledNewest', '["2026-12-07T00:52:19.660Z-0002-4R9Ysyo4NpFBijJV","todos","t3","title","Eggs ''free range'' é"]');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('serverEpoch', 'WR1CBmUsDlOsN2Zh');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796604739753');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:19.659Z-0000-4R9Ysyo4NpFBijJV', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:19.740Z-0000-hAigxiUzCU1WD9pt', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:19.741Z-0000-hAigxiUzCU1WD9pt', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', '2026-12-07T00:52:19.754Z-0001-hAigxiUzCU1WD9pt', 1, 0, '2026-12-07T00:52:19.660Z-0000-4R9Ysyo4NpFBijJV', 2, NULL, NULL, NULL, CAST(X'302e3000323032362d31322d30375430303a35323a31392e3735345a2d303030302d684169677869557a4355315744397074007469746c6500734f6174206d696c6b' AS TEXT));
INSERT INTO "todos" VALUES ('t2', 'Bread', '2026-12-07T00:52:19.660Z-0001-4R9Ysyo4NpFBijJV', 2, NULL, NULL, NULL, 1, '2026-12-07T00:52:19.741Z-0000-hAigxiUzCU1WD9pt', NULL, NULL);
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', '2026-12-07T00:52:19.660Z-0002-4R9Ysyo4NpFBijJV', 2, NULL, NULL, NULL, 1, '2026-12-07T00:52:19.755Z-0002-hAigxiUzCU1WD9pt', 1, NULL);
INSERT INTO "todos" VALUES ('t4', 'Jam', '2026-12-07T00:52:19.740Z-0000-hAigxiUzCU1WD9pt', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', '2026-12-07T00:52:19.755Z-0000-hAigxiUzCU1WD9pt', 1, 1, '2026-12-07T00:52:19.755Z-0001-hAigxiUzCU1WD9pt', 1, NULL, NULL, NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
