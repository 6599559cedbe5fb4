PRAGMA user_version = 4;
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
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'DhOO8J0SODRUoZVj');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('_pulledRecent', '[["2026-12-07T01:06:28.221Z-0000-5B3XeFRhk25C_Avu","todos","t1","title","Milk"],["2026-12-07T01:06:28.223Z-0000-5B3XeFRhk25C_Avu","todos","t1","done",false],["2026-12-07T01:06:28.224Z-0000-5B3XeFRhk25C_Avu","todos","t2","title","Bread"],["2026-12-07T01:06:28.224Z-0001-5B3XeFRhk25C_Avu","todos","t3","title","Eggs ''free range'' é"]]');
INSERT INTO "fieldsync_meta" VALUES ('_pulledNewest', '["2026-12-07T01:06:28.224Z-0001-5B3XeFRhk25C_Avu","todos","t3","title","Eggs ''free range'' é"]');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('serverEpoch', 'bdntVwS62eCRP9Cu');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796605589008');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:28.221Z-0000-5B3XeFRhk25C_Avu', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:28.831Z-0000-DhOO8J0SODRUoZVj', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:28.836Z-0000-DhOO8J0SODRUoZVj', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', '2026-12-07T01:06:29.010Z-0000-DhOO8J0SODRUoZVj', 1, 0, '2026-12-07T01:06:28.223Z-0000-5B3XeFRhk25C_Avu', 2, NULL, NULL, NULL, CAST(X'302e3000323032362d31322d30375430313a30363a32392e3030395a2d303030302d44684f4f384a30534f4452556f5a566a007469746c6500734f6174206d696c6b' AS TEXT));
INSERT INTO "todos" VALUES ('t2', 'Bread', '2026-12-07T01:06:28.224Z-0000-5B3XeFRhk25C_Avu', 2, NULL, NULL, NULL, 1, '2026-12-07T01:06:28.836Z-0000-DhOO8J0SODRUoZVj', NULL, NULL);
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', '2026-12-07T01:06:28.224Z-0001-5B3XeFRhk25C_Avu', 2, NULL, NULL, NULL, 1, '2026-12-07T01:06:29.011Z-0000-DhOO8J0SODRUoZVj', 1, NULL);
INSERT INTO "todos" VALUES ('t4', 'Jam', '2026-12-07T01:06:28.831Z-0000-DhOO8J0SODRUoZVj', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', '2026-12-07T01:06:29.010Z-0001-DhOO8J0SODRUoZVj', 1, 1, '2026-12-07T01:06:29.010Z-0002-DhOO8J0SODRUoZVj', 1, NULL, NULL, NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
CREATE TRIGGER "fieldsync_kept_mark todos.title"
    AFTER UPDATE OF "_pending_title" ON "todos"
    WHEN old."_pending_title" = 2 AND new."_pending_title" IS NOT 2 AND old."_hlc_title" IS NOT NULL
    BEGIN
      INSERT INTO fieldsync_messages (hlc, tbl, row, col, value, local, synced, applied, error)
      VALUES (old."_hlc_title", 'todos', old.id, 'title', json_quote(old."title"), 0, 1, 1, NULL)
      ON CONFLICT(hlc) DO NOTHING;
    END;
CREATE TRIGGER "fieldsync_kept_mark todos.done"
    AFTER UPDATE OF "_pending_done" ON "todos"
    WHEN old."_pending_done" = 2 AND new."_pending_done" IS NOT 2 AND old."_hlc_done" IS NOT NULL
    BEGIN
      INSERT INTO fieldsync_messages (hlc, tbl, row, col, value, local, synced, applied, error)
      VALUES (old."_hlc_done", 'todos', old.id, 'done', CASE old."done" WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END, 0, 1, 1, NULL)
      ON CONFLICT(hlc) DO NOTHING;
    END;
CREATE TRIGGER "fieldsync_kept_mark todos._deleted"
    AFTER UPDATE OF "_pending__deleted" ON "todos"
    WHEN old."_pending__deleted" = 2 AND new."_pending__deleted" IS NOT 2 AND old."_hlc__deleted" IS NOT NULL
    BEGIN
      INSERT INTO fieldsync_messages (hlc, tbl, row, col, value, local, synced, applied, error)
      VALUES (old."_hlc__deleted", 'todos', old.id, '_deleted', CASE old."_deleted" WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END, 0, 1, 1, NULL)
      ON CONFLICT(hlc) DO NOTHING;
    END;
