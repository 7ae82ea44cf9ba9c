-- CreateTable
CREATE TABLE "recipes" (
    "id" UUID NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "ingredients" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "time_minutes" INTEGER NOT NULL,
    "price" DECIMAL(8,2) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "recipes_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "recipes_created_at_id_idx" ON "recipes"("created_at", "id");

-- CreateIndex
CREATE INDEX "recipes_title_id_idx" ON "recipes"("title", "id");

-- CreateIndex
CREATE INDEX "recipes_time_minutes_id_idx" ON "recipes"("time_minutes", "id");

-- CreateIndex
CREATE INDEX "recipes_price_id_idx" ON "recipes"("price", "id");

-- CreateIndex
CREATE INDEX "outbox_sent_at_next_attempt_at_created_at_idx" ON "outbox"("sent_at", "next_attempt_at", "created_at");

-- Domain rules Prisma cannot express; the service validates the same limits first.
ALTER TABLE "recipes" ADD CONSTRAINT "recipes_time_minutes_range" CHECK ("time_minutes" BETWEEN 1 AND 10080);
ALTER TABLE "recipes" ADD CONSTRAINT "recipes_price_range" CHECK ("price" >= 0);
ALTER TABLE "recipes" ADD CONSTRAINT "recipes_version_positive" CHECK ("version" >= 1);
