/**
 * Compiled by `npm run typecheck`, never run: resolvers that no longer match
 * schema/recipes.graphql are type errors (see client/test/typeErrors.int.test.ts).
 */
import type { Resolvers } from '../src/generated/graphql.js';

export const mismatched: Resolvers = {
  Query: {
    // @ts-expect-error `recipes` returns a RecipeConnection, not a list
    recipes: () => [],
    // @ts-expect-error Query.recipe takes `id`, not `recipeId`
    recipe: (_parent, args, ctx) => ctx.recipeById.load(args.recipeId),
  },
  Recipe: {
    // @ts-expect-error the gateway's reference carries the key field `id` only
    __resolveReference: (reference, ctx) => ctx.recipeById.load(reference.title),
  },
};
