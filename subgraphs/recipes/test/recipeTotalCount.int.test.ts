import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRecipe, succeed, uniquePrefix } from './recipeApi.js';
import { startRecipesForTest } from './harness.js';

const statements: string[] = [];
let service: Awaited<ReturnType<typeof startRecipesForTest>>;
const prefix = uniquePrefix();

beforeAll(async () => {
  service = await startRecipesForTest({ onQuery: (sql) => statements.push(sql) });
  for (const title of ['Soup', 'Stew', 'Salad']) await createRecipe(service.url, { title: `${prefix} ${title}` });
});
afterAll(() => service?.stop());

/** Runs one page query selecting `selection` and returns its data and the counts it ran. */
async function measure(selection: string, variables: Record<string, unknown> = {}) {
  statements.length = 0;
  const skip = selection.includes('$skip') ? ', $skip: Boolean!' : '';
  const fragment = selection.includes('...Counted') ? 'fragment Counted on RecipeConnection { totalCount }' : '';
  const query = `query($filter: RecipeFilter${skip}) { recipes(first: 2, filter: $filter) { ${selection} } } ${fragment}`;
  const data = await succeed<{ recipes: Record<string, unknown> }>(service.url, query, {
    filter: { titleContains: prefix },
    ...variables,
  });
  return { page: data.recipes, counts: statements.filter((sql) => /\bCOUNT\(/i.test(sql)).length, statements };
}

it('counts the matching recipes when totalCount is asked for', async () => {
  const { page, counts } = await measure('edges { node { title } } totalCount');
  expect(page.totalCount).toBe(3);
  expect(page.edges).toHaveLength(2);
  expect(counts).toBe(1);
});

it('runs no count when totalCount is not asked for', async () => {
  const { page, counts, statements: ran } = await measure('edges { node { title } } pageInfo { hasNextPage }');
  expect(page).toMatchObject({ pageInfo: { hasNextPage: true } });
  expect(counts).toBe(0);
  expect(ran.length).toBeGreaterThan(0);
});

it('sees totalCount asked for under an alias, in a fragment, or alone', async () => {
  expect(await measure('total: totalCount')).toMatchObject({ page: { total: 3 }, counts: 1 });
  expect(await measure('...Counted')).toMatchObject({ page: { totalCount: 3 }, counts: 1 });
  expect(await measure('... on RecipeConnection { totalCount }')).toMatchObject({ page: { totalCount: 3 }, counts: 1 });
});

it('honours @skip and @include on totalCount', async () => {
  expect(await measure('edges { cursor } totalCount @include(if: false)')).toMatchObject({ counts: 0 });
  expect(await measure('edges { cursor } totalCount @skip(if: $skip)', { skip: true })).toMatchObject({ counts: 0 });
  expect(await measure('edges { cursor } totalCount @skip(if: $skip)', { skip: false })).toMatchObject({
    page: { totalCount: 3 },
    counts: 1,
  });
});
