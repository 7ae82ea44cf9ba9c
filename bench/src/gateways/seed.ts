import pg from 'pg';
import { seedComments, seedRecipes, type SeedRecipe } from './seedData.js';

async function withClient(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * Writes the fixed data set straight into both databases, replicas included, as event
 * sync would have left them: recipes with their `comment_replica` rows and
 * `comment_count`, comments with the `recipe_replica` rows that let them exist. No
 * outbox rows, so nothing is published: the benchmark measures reads, not catch-up. Each
 * database is analyzed after, as autovacuum would have done for a database in use: without
 * statistics Postgres scanned all 10,000 comments for every page (and a server with autovacuum
 * off, like the shared one the figures come from, never analyzes them).
 */
export async function seedDatabases(urls: { recipes: string; comments: string }): Promise<SeedRecipe[]> {
  const recipes = seedRecipes();
  const comments = seedComments(recipes);
  await withClient(urls.recipes, async (client) => {
    await client.query(
      `INSERT INTO recipes (id, title, description, ingredients, time_minutes, price, created_at, updated_at, version,
                            comment_count, author_id, author_name)
       SELECT id, title, description, ingredients, time_minutes, price, created_at, created_at, 1,
              comment_count, author_id, author_name
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, title text, description text, ingredients text[],
              time_minutes int, price numeric, created_at timestamptz, comment_count int, author_id text, author_name text)`,
      [JSON.stringify(recipes)],
    );
    await client.query(
      `INSERT INTO comment_replica (id, recipe_id, version, deleted)
       SELECT id, recipe_id, 1, false FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, recipe_id uuid)`,
      [JSON.stringify(comments.map(({ id, recipe_id }) => ({ id, recipe_id })))],
    );
  });
  await withClient(urls.comments, async (client) => {
    await client.query(
      `INSERT INTO comments (id, recipe_id, text, author_id, author_name, created_at, version)
       SELECT id, recipe_id, text, author_id, author_name, created_at, 1
         FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, recipe_id uuid, text text, author_id text, author_name text,
              created_at timestamptz)`,
      [JSON.stringify(comments)],
    );
    await client.query(
      `INSERT INTO recipe_replica (id, version, deleted)
       SELECT id, 1, false FROM jsonb_to_recordset($1::jsonb) AS r(id uuid)`,
      [JSON.stringify(recipes.map(({ id }) => ({ id })))],
    );
  });
  return recipes;
}
