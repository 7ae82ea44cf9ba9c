/**
 * Compiled by `npm run typecheck`, never run: resolvers that no longer match
 * schema/comments.graphql are type errors (see client/test/typeErrors.int.test.ts).
 */
import type { Resolvers } from '../src/generated/graphql.js';

export const mismatched: Resolvers = {
  Comment: {
    // @ts-expect-error another service resolves the recipe, but only from its id
    recipe: () => ({ __typename: 'Recipe' }),
  },
  Recipe: {
    comments: (recipe, args, ctx) =>
      // @ts-expect-error Recipe.comments takes `first` and `after`, not `last`
      ctx.commentPages({ first: args.last, after: null, countTotal: true }).load(recipe.id),
  },
};
