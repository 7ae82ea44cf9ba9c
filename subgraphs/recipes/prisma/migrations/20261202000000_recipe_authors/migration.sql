-- Identity: every recipe has an author, the user (token subject) who created it, named as they were then.
-- Recipes written before identity belong to the "potluck-archive" user: only a moderator may change them.
ALTER TABLE "recipes"
    ADD COLUMN "author_id" VARCHAR(255) NOT NULL DEFAULT 'potluck-archive',
    ADD COLUMN "author_name" VARCHAR(100) NOT NULL DEFAULT 'Potluck archive';

ALTER TABLE "recipes"
    ALTER COLUMN "author_id" DROP DEFAULT,
    ALTER COLUMN "author_name" DROP DEFAULT;
