import { describe, expect, it } from 'vitest';
import { GraphQLRequestError, type GraphQLClient } from '../gatewayClient.js';
import type { SeedRecipe } from '../seedData.js';
import { seedRecipes, type SeedGateway } from '../seedRecipes.js';

const RECIPES: SeedRecipe[] = [
  {
    author: 'ana',
    title: 'A',
    description: '',
    ingredients: [],
    timeMinutes: 5,
    price: '1.00',
    comments: [
      { author: 'mo', text: 'a1' },
      { author: 'joe', text: 'a2' },
    ],
  },
  { author: 'joe', title: 'B', description: '', ingredients: [], timeMinutes: 5, price: '1.00', comments: [] },
];

/** A gateway stand-in: answers by operation, and records what it was sent and as whom. */
function fakeGateway(answer: (operation: string, variables: Record<string, unknown>) => unknown) {
  const sent: string[] = [];
  const calls: Array<{ operation: string; as: string; variables: Record<string, unknown> }> = [];
  const clientAs =
    (as: string): GraphQLClient =>
    async <Data>(query: string, variables: Record<string, unknown> = {}) => {
      const operation = query.match(/(?:query|mutation) (\w+)/)![1]!;
      sent.push(operation);
      calls.push({ operation, as, variables });
      return answer(operation, variables) as Data;
    };
  const client: SeedGateway = { read: clientAs('anonymous'), as: clientAs };
  return { client, sent, calls };
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
    expect(await seedRecipes(gateway.client, RECIPES, options)).toEqual({ seeded: true, recipes: 2, comments: 2 });
    expect(gateway.sent).toEqual([
      'SeedRecipeCount',
      'SeedCreateRecipe',
      'SeedAddComment',
      'SeedAddComment',
      'SeedAddComment',
      'SeedAddComment',
      'SeedCreateRecipe',
    ]);
  });

  it('reads anonymously and makes each recipe as its author and each comment as its writer, naming no author in the input', async () => {
    const gateway = fakeGateway((operation, variables) => {
      if (operation === 'SeedRecipeCount') return { recipes: { totalCount: 0 } };
      if (operation === 'SeedCreateRecipe')
        return { createRecipe: { id: `id-${(variables.input as SeedRecipe).title}` } };
      return { addComment: { id: 'c' } };
    });
    await seedRecipes(gateway.client, RECIPES, options);
    expect(gateway.calls).toEqual([
      { operation: 'SeedRecipeCount', as: 'anonymous', variables: {} },
      {
        operation: 'SeedCreateRecipe',
        as: 'ana',
        variables: { input: { title: 'A', description: '', ingredients: [], timeMinutes: 5, price: '1.00' } },
      },
      { operation: 'SeedAddComment', as: 'mo', variables: { input: { recipeId: 'id-A', text: 'a1' } } },
      { operation: 'SeedAddComment', as: 'joe', variables: { input: { recipeId: 'id-A', text: 'a2' } } },
      {
        operation: 'SeedCreateRecipe',
        as: 'joe',
        variables: { input: { title: 'B', description: '', ingredients: [], timeMinutes: 5, price: '1.00' } },
      },
    ]);
  });

  it('stops at once when the gateway refuses its token, even while waiting for the gateway to start', async () => {
    const gateway = fakeGateway(() => {
      throw new GraphQLRequestError('The token was signed by an unknown key', ['UNAUTHENTICATED']);
    });
    await expect(seedRecipes(gateway.client, RECIPES, options)).rejects.toThrow('unknown key');
    expect(gateway.sent).toEqual(['SeedRecipeCount']);
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
