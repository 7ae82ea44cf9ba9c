import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, withDatabase } from '@potluck/db';
import { migrateSubgraph } from '@potluck/service';
import { queryRows, randomName, testServerUrl } from '@potluck/testing';
import { MIGRATIONS_DIR as COMMENTS_MIGRATIONS } from '../subgraphs/comments/src/app.js';
import { MIGRATIONS_DIR as RECIPES_MIGRATIONS } from '../subgraphs/recipes/src/app.js';

const IDENTITY_MIGRATIONS = /_((recipe|comment)_authors|replica_changed_by)$/;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'potluck-migrations-'));
const databases: string[] = [];

afterAll(async () => {
  await Promise.all(databases.map((url) => dropDatabase(url)));
  rmSync(scratch, { recursive: true, force: true });
});

/** A database migrated as it was before identity, holding `rows`, then migrated to today. */
async function upgraded(service: string, migrationsDir: string, insert: string) {
  const url = withDatabase(testServerUrl(), randomName(`potluck_test_upgrade_${service}`));
  databases.push(url);
  await ensureDatabase(url);
  const before = path.join(scratch, service);
  cpSync(migrationsDir, before, { recursive: true, filter: (source) => !IDENTITY_MIGRATIONS.test(source) });
  await migrateSubgraph(url, before);
  await queryRows(url, insert);
  const { applied } = await migrateSubgraph(url, migrationsDir);
  return { url, applied };
}

it('gives recipes written before identity an owner only a moderator may act for', async () => {
  const { url, applied } = await upgraded(
    'recipes',
    RECIPES_MIGRATIONS,
    `INSERT INTO recipes (id, title, time_minutes, price) VALUES ('0195d0a4-7c1e-7b3a-9f00-0123456789ab', 'Old', 5, 1)`,
  );
  expect(applied).toEqual([expect.stringMatching(/_recipe_authors$/), expect.stringMatching(/_replica_changed_by$/)]);
  expect(await queryRows(url, 'SELECT title, author_id, author_name FROM recipes')).toEqual([
    { title: 'Old', author_id: 'potluck-archive', author_name: 'Potluck archive' },
  ]);
});

it('keeps the name old comments were signed with, under the archive owner', async () => {
  const { url, applied } = await upgraded(
    'comments',
    COMMENTS_MIGRATIONS,
    `INSERT INTO comments (id, recipe_id, text, author) VALUES
       ('0195d0a4-7c1e-7b3a-9f00-0123456789ab', '0195d0a4-7c1e-7b3a-9f00-0123456789ac', 'Yum', 'li')`,
  );
  expect(applied).toEqual([expect.stringMatching(/_comment_authors$/), expect.stringMatching(/_replica_changed_by$/)]);
  expect(await queryRows(url, 'SELECT text, author_id, author_name FROM comments')).toEqual([
    { text: 'Yum', author_id: 'potluck-archive', author_name: 'li' },
  ]);
});
