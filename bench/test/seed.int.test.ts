import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows, testAmqpUrl, testServerUrl } from '@potluck/testing';
import { createWorkspace, type BenchWorkspace } from '../src/gateways/benchStack.js';
import { seedDatabases } from '../src/gateways/seed.js';

let workspace: BenchWorkspace;

beforeAll(async () => {
  workspace = await createWorkspace({ DATABASE_SERVER_URL: testServerUrl(), AMQP_URL: testAmqpUrl() });
}, 60_000);

afterAll(async () => {
  await workspace?.cleanUp();
});

/**
 * The benchmark's seed leaves statistics behind, as a database in use would have: without them
 * Postgres read all 10,000 comments for every page of 20 recipes (a sequential scan), and the
 * benchmark measured that instead of the subgraphs.
 */
it('seeds databases that Postgres plans with their indexes', async () => {
  const recipes = await seedDatabases(workspace.databases);
  const ids = recipes.slice(0, 20).map((recipe) => recipe.id);
  const plan = await queryRows(
    workspace.databases.comments,
    'EXPLAIN (FORMAT JSON) SELECT recipe_id, count(*)::int AS total FROM comments WHERE recipe_id = ANY($1::uuid[]) GROUP BY recipe_id',
    [ids],
  );
  expect(JSON.stringify(plan)).toContain('comments_recipe_id_created_at_id_idx');
  expect(JSON.stringify(plan)).not.toContain('Seq Scan');
}, 60_000);
