-- CreateTable
CREATE TABLE "recipe_replica" (
    "id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recipe_replica_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "outbox" ADD COLUMN "position" BIGSERIAL NOT NULL;

-- CreateIndex
CREATE INDEX "outbox_sent_at_position_idx" ON "outbox"("sent_at", "position");

-- CreateTable
CREATE TABLE "inbox" (
    "message_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE INDEX "inbox_received_at_idx" ON "inbox"("received_at");

-- Wake the outbox relay on every insert (LISTEN outbox_inserted); it also polls slowly as a fallback.
CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_inserted', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
