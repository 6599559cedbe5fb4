PRAGMA user_version = 2;
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
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "title" TEXT, "_hlc_title" TEXT, "_pending_title" INTEGER, "done" INTEGER, "_hlc_done" TEXT, "_pending_done" INTEGER, "_deleted" INTEGER, "_hlc__deleted" TEXT, "_pending__deleted" INTEGER);
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'hcXQJzkhMRMx3dFt');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '1');
INSERT INTO "fieldsync_meta" VALUES ('cursor', '6');
INSERT INTO "fieldsync_meta" VALUES ('serverEpoch', 'rmJD_1EgkECYhy_r');
INSERT INTO "fieldsync_meta" VALUES ('lastSyncAt', '1796605576245');
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:14.990Z-0000-TSNi1wBL8L_imvA9', 'todos', 't1', 'title', '"Milk"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:15.020Z-0000-TSNi1wBL8L_imvA9', 'todos', 't1', 'done', 'false', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:15.023Z-0000-TSNi1wBL8L_imvA9', 'todos', 't2', 'title', '"Bread"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:15.024Z-0000-TSNi1wBL8L_imvA9', 'todos', 't3', 'title', '"Eggs ''free range'' é"', 0, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:16.109Z-0000-hcXQJzkhMRMx3dFt', 'todos', 't4', 'title', '"Jam"', 1, 1, 1, NULL);
INSERT INTO "fieldsync_messages" VALUES ('2026-12-07T01:06:16.110Z-0000-hcXQJzkhMRMx3dFt', 'todos', 't2', '_deleted', 'true', 1, 1, 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:06:16.247Z-0001-hcXQJzkhMRMx3dFt', 'todos', 't1', 'title', '"Oat milk"', 1, NULL);
INSERT INTO "todos" VALUES ('t1', 'Soy milk', '2026-12-07T01:06:16.268Z-0000-hcXQJzkhMRMx3dFt', 1, 0, '2026-12-07T01:06:15.020Z-0000-TSNi1wBL8L_imvA9', NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t2', 'Bread', '2026-12-07T01:06:15.023Z-0000-TSNi1wBL8L_imvA9', NULL, NULL, NULL, NULL, 1, '2026-12-07T01:06:16.110Z-0000-hcXQJzkhMRMx3dFt', NULL);
INSERT INTO "todos" VALUES ('t3', 'Eggs ''free range'' é', '2026-12-07T01:06:15.024Z-0000-TSNi1wBL8L_imvA9', NULL, NULL, NULL, NULL, 1, '2026-12-07T01:06:16.272Z-0002-hcXQJzkhMRMx3dFt', 1);
INSERT INTO "todos" VALUES ('t4', 'Jam', '2026-12-07T01:06:16.109Z-0000-hcXQJzkhMRMx3dFt', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "todos" VALUES ('t5', 'Tea', '2026-12-07T01:06:16.272Z-0000-hcXQJzkhMRMx3dFt', 1, 1, '2026-12-07T01:06:16.272Z-0001-hcXQJzkhMRMx3dFt', 1, NULL, NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
