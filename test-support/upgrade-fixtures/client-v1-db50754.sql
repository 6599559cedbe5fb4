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
INSERT INTO "fieldsync_meta" VALUES ('clientId', '-qhSBWwU7X81ER32');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796604734667');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.591Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.592Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't1', 'done', 'false', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.593Z-0000-vG0Xw4EI0EnOEkJo', 'todos', 't2', 'title', '"Bread"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.593Z-0001-vG0Xw4EI0EnOEkJo', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.657Z-0000--qhSBWwU7X81ER32', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T00:52:14.658Z-0000--qhSBWwU7X81ER32', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:14.668Z-0001--qhSBWwU7X81ER32', 'todos', 't1', 'title', '"Oat milk"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:14.668Z-0003--qhSBWwU7X81ER32', 'todos', 't1', 'title', '"Soy milk"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:14.669Z-0000--qhSBWwU7X81ER32', 'todos', 't5', 'title', '"Tea"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:14.669Z-0001--qhSBWwU7X81ER32', 'todos', 't5', 'done', 'true', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T00:52:14.669Z-0002--qhSBWwU7X81ER32', 'todos', 't3', '_deleted', 'true', 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', '2026-12-07T00:52:14.668Z-0003--qhSBWwU7X81ER32', 0, '2026-12-07T00:52:14.592Z-0000-vG0Xw4EI0EnOEkJo', NULL, NULL);
INSERT INTO "todos" VALUES ('t2', 'Bread', '2026-12-07T00:52:14.593Z-0000-vG0Xw4EI0EnOEkJo', NULL, NULL, 1, '2026-12-07T00:52:14.658Z-0000--qhSBWwU7X81ER32');
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', '2026-12-07T00:52:14.593Z-0001-vG0Xw4EI0EnOEkJo', NULL, NULL, 1, '2026-12-07T00:52:14.669Z-0002--qhSBWwU7X81ER32');
INSERT INTO "todos" VALUES ('t4', 'Jam', '2026-12-07T00:52:14.657Z-0000--qhSBWwU7X81ER32', NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', '2026-12-07T00:52:14.669Z-0000--qhSBWwU7X81ER32', 1, '2026-12-07T00:52:14.669Z-0001--qhSBWwU7X81ER32', NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
