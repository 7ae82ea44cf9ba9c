-- The unsent rows in publishing order: the relay takes its next batch by walking this index
-- and stops after a batch, however long the backlog is. Without it Postgres read and sorted
-- the whole backlog, payloads included, for every batch (40-80 ms a batch at 10,000 rows).
CREATE INDEX IF NOT EXISTS "outbox_unsent_position_idx" ON "outbox"("position") WHERE "sent_at" IS NULL;
