-- Identity: a comment's author is the user (token subject) who wrote it, named as they were then.
-- Comments written before identity keep the name their writer typed and belong to the
-- "potluck-archive" user: only a moderator may delete them.
ALTER TABLE "comments" RENAME COLUMN "author" TO "author_name";
ALTER TABLE "comments" ALTER COLUMN "author_name" DROP DEFAULT;
ALTER TABLE "comments" ADD COLUMN "author_id" VARCHAR(255) NOT NULL DEFAULT 'potluck-archive';
ALTER TABLE "comments" ALTER COLUMN "author_id" DROP DEFAULT;
