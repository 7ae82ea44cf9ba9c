-- CreateTable
CREATE TABLE "comments" (
    "id" UUID NOT NULL,
    "recipe_id" UUID NOT NULL,
    "text" VARCHAR(2000) NOT NULL,
    "author" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
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

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "comments_recipe_id_created_at_id_idx" ON "comments"("recipe_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "outbox_sent_at_next_attempt_at_created_at_idx" ON "outbox"("sent_at", "next_attempt_at", "created_at");

-- Domain rules Prisma cannot express; the service validates the same limits first.
ALTER TABLE "comments" ADD CONSTRAINT "comments_text_not_empty" CHECK (length("text") >= 1);
ALTER TABLE "comments" ADD CONSTRAINT "comments_version_positive" CHECK ("version" >= 1);
