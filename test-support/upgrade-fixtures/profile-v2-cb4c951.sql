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
CREATE TABLE "lists" (id TEXT PRIMARY KEY NOT NULL, "name" TEXT, "_hlc_name" TEXT, "order" TEXT, "_hlc_order" TEXT, "createdAt" INTEGER, "_hlc_createdAt" TEXT, "_deleted" INTEGER, "_hlc__deleted" TEXT);
CREATE TABLE "todos" (id TEXT PRIMARY KEY NOT NULL, "listId" TEXT, "_hlc_listId" TEXT, "title" TEXT, "_hlc_title" TEXT, "done" INTEGER, "_hlc_done" TEXT, "order" TEXT, "_hlc_order" TEXT, "createdAt" INTEGER, "_hlc_createdAt" TEXT, "_deleted" INTEGER, "_hlc__deleted" TEXT);
CREATE TABLE "devices" (id TEXT PRIMARY KEY NOT NULL, "name" TEXT, "_hlc_name" TEXT, "_deleted" INTEGER, "_hlc__deleted" TEXT);
INSERT INTO "fieldsync_meta" VALUES ('clientId', 'iZSizZ3ESg50TRS5');
INSERT INTO "fieldsync_meta" VALUES ('schemaVersion', '2');
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.946Z-0000-iZSizZ3ESg50TRS5', 'devices', 'iZSizZ3ESg50TRS5', 'name', '"old-profile"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.958Z-0000-iZSizZ3ESg50TRS5', 'lists', 'vD-YOwqw237MPihs', 'name', '"Groceries"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.959Z-0000-iZSizZ3ESg50TRS5', 'lists', 'vD-YOwqw237MPihs', 'order', '"a0"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.959Z-0001-iZSizZ3ESg50TRS5', 'lists', 'vD-YOwqw237MPihs', 'createdAt', '1796605418958', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.967Z-0000-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'listId', '"vD-YOwqw237MPihs"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.967Z-0001-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'title', '"Milk"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.967Z-0002-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'done', 'false', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.967Z-0003-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'order', '"a0"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.967Z-0004-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'createdAt', '1796605418967', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.973Z-0000-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', 'listId', '"vD-YOwqw237MPihs"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.973Z-0001-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', 'title', '"Bread"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.973Z-0002-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', 'done', 'false', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.973Z-0003-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', 'order', '"a1"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.973Z-0004-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', 'createdAt', '1796605418972', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.974Z-0000-iZSizZ3ESg50TRS5', 'todos', 'jpMWN3Us884UQiFX', 'listId', '"vD-YOwqw237MPihs"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.974Z-0001-iZSizZ3ESg50TRS5', 'todos', 'jpMWN3Us884UQiFX', 'title', '"Eggs ''free range'' é"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.974Z-0002-iZSizZ3ESg50TRS5', 'todos', 'jpMWN3Us884UQiFX', 'done', 'false', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.974Z-0003-iZSizZ3ESg50TRS5', 'todos', 'jpMWN3Us884UQiFX', 'order', '"a2"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.974Z-0004-iZSizZ3ESg50TRS5', 'todos', 'jpMWN3Us884UQiFX', 'createdAt', '1796605418974', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.978Z-0000-iZSizZ3ESg50TRS5', 'todos', 'IwmX6_lCYiiOkn_g', 'done', 'true', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.983Z-0000-iZSizZ3ESg50TRS5', 'lists', 'vD-YOwqw237MPihs', 'name', '"Shopping"', 1, NULL);
INSERT INTO "fieldsync_outbox" VALUES ('2026-12-07T01:03:38.984Z-0000-iZSizZ3ESg50TRS5', 'todos', 'k5FDfvL4XMqA4ZFo', '_deleted', 'true', 1, NULL);
INSERT INTO "lists" VALUES ('vD-YOwqw237MPihs', 'Shopping', '2026-12-07T01:03:38.983Z-0000-iZSizZ3ESg50TRS5', 'a0', '2026-12-07T01:03:38.959Z-0000-iZSizZ3ESg50TRS5', 1796605418958, '2026-12-07T01:03:38.959Z-0001-iZSizZ3ESg50TRS5', NULL, NULL);
INSERT INTO "todos" VALUES ('IwmX6_lCYiiOkn_g', 'vD-YOwqw237MPihs', '2026-12-07T01:03:38.967Z-0000-iZSizZ3ESg50TRS5', 'Milk', '2026-12-07T01:03:38.967Z-0001-iZSizZ3ESg50TRS5', 1, '2026-12-07T01:03:38.978Z-0000-iZSizZ3ESg50TRS5', 'a0', '2026-12-07T01:03:38.967Z-0003-iZSizZ3ESg50TRS5', 1796605418967, '2026-12-07T01:03:38.967Z-0004-iZSizZ3ESg50TRS5', NULL, NULL);
INSERT INTO "todos" VALUES ('k5FDfvL4XMqA4ZFo', 'vD-YOwqw237MPihs', '2026-12-07T01:03:38.973Z-0000-iZSizZ3ESg50TRS5', 'Bread', '2026-12-07T01:03:38.973Z-0001-iZSizZ3ESg50TRS5', 0, '2026-12-07T01:03:38.973Z-0002-iZSizZ3ESg50TRS5', 'a1', '2026-12-07T01:03:38.973Z-0003-iZSizZ3ESg50TRS5', 1796605418972, '2026-12-07T01:03:38.973Z-0004-iZSizZ3ESg50TRS5', 1, '2026-12-07T01:03:38.984Z-0000-iZSizZ3ESg50TRS5');
INSERT INTO "todos" VALUES ('jpMWN3Us884UQiFX', 'vD-YOwqw237MPihs', '2026-12-07T01:03:38.974Z-0000-iZSizZ3ESg50TRS5', 'Eggs ''free range'' é', '2026-12-07T01:03:38.974Z-0001-iZSizZ3ESg50TRS5', 0, '2026-12-07T01:03:38.974Z-0002-iZSizZ3ESg50TRS5', 'a2', '2026-12-07T01:03:38.974Z-0003-iZSizZ3ESg50TRS5', 1796605418974, '2026-12-07T01:03:38.974Z-0004-iZSizZ3ESg50TRS5', NULL, NULL);
INSERT INTO "devices" VALUES ('iZSizZ3ESg50TRS5', 'old-profile', '2026-12-07T01:03:38.946Z-0000-iZSizZ3ESg50TRS5', NULL, NULL);
CREATE INDEX fieldsync_messages_unapplied ON fieldsync_messages (hlc) WHERE applied = 0;
CREATE INDEX "todos_by_listId" ON "todos" ("listId");
