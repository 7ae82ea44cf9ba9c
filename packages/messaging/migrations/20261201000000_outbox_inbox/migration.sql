-- The outbox, the inbox and the trigger that wakes the relay, owned by @potluck/messaging.
-- Idempotent: on a database whose subgraph migrations already created them (the same
-- columns and indexes) it changes nothing but records itself; on an empty one it creates them.

CREATE TABLE IF NOT EXISTS "outbox" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "aggregate_id" UUID NOT NULL,
    "aggregate_version" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "position" BIGSERIAL NOT NULL,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE INDEX IF NOT EXISTS "outbox_sent_at_next_attempt_at_created_at_idx" ON "outbox"("sent_at", "next_attempt_at", "created_at");

CREATE INDEX IF NOT EXISTS "outbox_sent_at_position_idx" ON "outbox"("sent_at", "position");

CREATE TABLE IF NOT EXISTS "inbox" (
    "message_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("message_id")
);

CREATE INDEX IF NOT EXISTS "inbox_received_at_idx" ON "inbox"("received_at");

-- Wake the outbox relay on every insert (the channel is OUTBOX_CHANNEL in src/storage.ts);
-- it also polls slowly as a fallback.
CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_inserted', '');
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS "outbox_notify" ON "outbox";

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
