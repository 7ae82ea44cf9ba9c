import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest } from '@potluck/testing';
import { RECIPE_ORDERS, type RecipeOrderName } from '../src/recipes/recipeOrder.js';
import { useRecipesForTest } from './harness.js';
import {
  DELETE,
  createRecipe,
  listRecipes,
  manualClock,
  uniquePrefix,
  type RecipeJson,
  type RecipePageJson,
} from './recipeApi.js';
import { announceComments } from './commentEvents.js';

const START = new Date('2026-03-01T12:00:00.000Z');
const clock = manualClock(START);
// Random (v4) ids, so the id tie-break has nothing to do with the order rows were inserted in.
const service = useRecipesForTest({ clock: clock.now, newId: randomUUID });

const SORT_KEYS: Record<RecipeOrderName, { key: (recipe: RecipeJson) => string | number; descending?: true }> = {
  NEWEST: { key: (recipe) => recipe.createdAt, descending: true },
  OLDEST: { key: (recipe) => recipe.createdAt },
  TITLE: { key: (recipe) => recipe.title },
  QUICKEST: { key: (recipe) => recipe.timeMinutes },
  CHEAPEST: { key: (recipe) => Number(recipe.price) },
  MOST_COMMENTED: { key: (recipe) => recipe.commentCount, descending: true },
};

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order the service must produce, computed independently: sort key, then id, both in the order's direction. */
function expectedIds(recipes: RecipeJson[], order: RecipeOrderName): string[] {
  const { key, descending } = SORT_KEYS[order];
  const sign = descending ? -1 : 1;
  const sorted = [...recipes].sort((a, b) => sign * (compare(key(a), key(b)) || compare(a.id, b.id)));
  return sorted.map((recipe) => recipe.id);
}

/**
 * Twelve recipes where every sort key repeats (three titles, three times, three prices, four
 * instants), so each order has to break ties by id. Titles are lower-case letters after one
 * shared prefix, which sorts the same under any collation.
 */
async function createTiedRecipes(prefix: string): Promise<RecipeJson[]> {
  const recipes: RecipeJson[] = [];
  for (let i = 0; i < 12; i += 1) {
    clock.set(new Date(START.getTime() + ((i * 7) % 4) * 1000));
    const title = `${prefix} ${['cherry', 'apple', 'banana'][i % 3]}`;
    const timeMinutes = [30, 15, 30, 60][i % 4];
    const price = ['4.50', '12.00', '7.25'][(i * 2) % 3];
    const recipe = await createRecipe(service.url, { title, timeMinutes, price });
    const commentCount = [2, 0, 1][i % 3]!;
    await announceComments(service.prisma, recipe.id, commentCount);
    recipes.push({ ...recipe, commentCount });
  }
  return recipes;
}

/** Follows endCursor until hasNextPage is false, checking every page's bookkeeping on the way. */
async function walkAllPages(prefix: string, order: RecipeOrderName, pageSize: number, total: number) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages <= total; pages += 1) {
    const page: RecipePageJson = await listRecipes(service.url, {
      first: pageSize,
      after,
      orderBy: order,
      filter: { titleContains: prefix },
    });
    expect(page.totalCount).toBe(total);
    expect(page.edges.length).toBe(Math.min(pageSize, total - ids.length));
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    ids.push(...page.edges.map((edge) => edge.node.id));
    expect(page.pageInfo.hasNextPage).toBe(ids.length < total);
    if (!page.pageInfo.hasNextPage) return { ids, endCursor: page.pageInfo.endCursor };
    after = page.pageInfo.endCursor;
  }
  throw new Error(`still more pages after ${total + 1} requests`);
}

describe('paging through recipes', () => {
  let prefix: string;
  let recipes: RecipeJson[];

  beforeAll(async () => {
    prefix = uniquePrefix();
    recipes = await createTiedRecipes(prefix);
  });

  it.each(RECIPE_ORDERS)('the data set really has ties in the %s key', (order) => {
    const keys = new Set(recipes.map(SORT_KEYS[order].key));
    expect(keys.size).toBeGreaterThan(1);
    expect(keys.size).toBeLessThan(recipes.length);
  });

  describe.each(RECIPE_ORDERS)('%s', (order) => {
    it.each([1, 5, 12, 100])('visits every recipe once, in order, %i per page', async (pageSize) => {
      const { ids } = await walkAllPages(prefix, order, pageSize, recipes.length);
      expect(ids).toEqual(expectedIds(recipes, order));
    });

    it('returns an empty last page after the final cursor', async () => {
      const { endCursor } = await walkAllPages(prefix, order, 5, recipes.length);
      const page = await listRecipes(service.url, {
        after: endCursor,
        orderBy: order,
        filter: { titleContains: prefix },
      });
      expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 12 });
    });
  });
});

describe('a cursor whose recipe is gone', () => {
  it.each(RECIPE_ORDERS)('%s still continues right after where that recipe was', async (order) => {
    const prefix = uniquePrefix();
    const recipes = await createTiedRecipes(prefix);
    const expected = expectedIds(recipes, order);
    const filter = { titleContains: prefix };
    const firstPage = await listRecipes(service.url, { first: 4, orderBy: order, filter });

    await graphqlRequest(service.url, DELETE, { id: expected[3] });
    const next = await listRecipes(service.url, {
      first: 4,
      after: firstPage.pageInfo.endCursor,
      orderBy: order,
      filter,
    });

    expect(next.edges.map((edge) => edge.node.id)).toEqual(expected.slice(4, 8));
    expect(next.totalCount).toBe(11);
  });
});
