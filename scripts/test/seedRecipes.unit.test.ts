import { describe, expect, it } from 'vitest';
import { GraphQLRequestError, type GraphQLClient } from '../gatewayClient.js';
import type { SeedRecipe } from '../seedData.js';
import { seedRecipes } from '../seedRecipes.js';

const RECIPES: SeedRecipe[] = [
  {
    title: 'A',
    description: '',
    ingredients: [],
    timeMinutes: 5,
    price: '1.00',
    comments: [{ author: 'x', text: 'a1' }],
  },
  { title: 'B', description: '', ingredients: [], timeMinutes: 5, price: '1.00', comments: [] },
];

/** A gateway stand-in: answers by operation, and records what it was sent. */
function fakeGateway(answer: (operation: string, variables: Record<string, unknown>) => unknown) {
  const sent: string[] = [];
  const client: GraphQLClient = async <Data>(query: string, variables: Record<string, unknown> = {}) => {
    const operation = query.match(/(?:query|mutation) (\w+)/)![1]!;
    sent.push(operation);
    return answer(operation, variables) as Data;
  };
  return { client, sent };
}

const notFound = () => new GraphQLRequestError('recipe not found', ['NOT_FOUND']);
const options = { timeoutMs: 1000, retryIntervalMs: 1 };

describe('seedRecipes', () => {
  it('adds nothing when there already is a recipe', async () => {
    const gateway = fakeGateway(() => ({ recipes: { totalCount: 3 } }));
    expect(await seedRecipes(gateway.client, RECIPES, options)).toEqual({ seeded: false, existingRecipes: 3 });
    expect(gateway.sent).toEqual(['SeedRecipeCount']);
  });

  it('creates each recipe, then its comments, and retries a comment until the comments service knows the recipe', async () => {
    let refusals = 2;
    const gateway = fakeGateway((operation, variables) => {
      if (operation === 'SeedRecipeCount') return { recipes: { totalCount: 0 } };
      if (operation === 'SeedCreateRecipe') return { createRecipe: { id: (variables.input as SeedRecipe).title } };
      if (refusals-- > 0) throw notFound();
      return { addComment: { id: 'c' } };
    });
    expect(await seedRecipes(gateway.client, RECIPES, options)).toEqual({ seeded: true, recipes: 2, comments: 1 });
    expect(gateway.sent).toEqual([
      'SeedRecipeCount',
      'SeedCreateRecipe',
      'SeedAddComment',
      'SeedAddComment',
      'SeedAddComment',
      'SeedCreateRecipe',
    ]);
  });

  it('waits for a gateway that is still starting', async () => {
    let failures = 3;
    const gateway = fakeGateway(() => {
      if (failures-- > 0) throw new TypeError('fetch failed');
      return { recipes: { totalCount: 1 } };
    });
    expect(await seedRecipes(gateway.client, RECIPES, options)).toEqual({ seeded: false, existingRecipes: 1 });
  });

  it('fails at once on an error that waiting cannot fix, and after the timeout on one that persists', async () => {
    const invalid = fakeGateway((operation) => {
      if (operation === 'SeedRecipeCount') return { recipes: { totalCount: 0 } };
      if (operation === 'SeedCreateRecipe') return { createRecipe: { id: 'r' } };
      throw new GraphQLRequestError('text is required', ['BAD_USER_INPUT']);
    });
    await expect(seedRecipes(invalid.client, RECIPES, options)).rejects.toThrow('text is required');
    expect(invalid.sent.filter((operation) => operation === 'SeedAddComment')).toHaveLength(1);

    const unknown = fakeGateway((operation) => {
      if (operation === 'SeedRecipeCount') return { recipes: { totalCount: 0 } };
      if (operation === 'SeedCreateRecipe') return { createRecipe: { id: 'r' } };
      throw notFound();
    });
    await expect(seedRecipes(unknown.client, RECIPES, { timeoutMs: 30, retryIntervalMs: 5 })).rejects.toThrow(
      'recipe not found',
    );
  });
});
