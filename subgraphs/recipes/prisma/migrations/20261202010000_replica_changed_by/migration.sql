-- Who made the change the replica row last applied: the event's actor (null when no user caused it).
ALTER TABLE "comment_replica" ADD COLUMN "changed_by" VARCHAR(255);
