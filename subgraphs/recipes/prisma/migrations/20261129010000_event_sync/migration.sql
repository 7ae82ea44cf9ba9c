-- AlterTable
ALTER TABLE "recipes" ADD COLUMN "comment_count" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "comment_replica" (
    "id" UUID NOT NULL,
    "recipe_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comment_replica_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "recipes_comment_count_id_idx" ON "recipes"("comment_count", "id");

-- CreateIndex
CREATE INDEX "comment_replica_recipe_id_deleted_idx" ON "comment_replica"("recipe_id", "deleted");

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
