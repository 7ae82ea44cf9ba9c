import { DateTimeScalar, DecimalScalar, selectsField } from '@potluck/service';
import { createRecipe } from '../recipes/createRecipe.js';
import { deleteRecipe } from '../recipes/deleteRecipe.js';
import { getRecipe } from '../recipes/getRecipes.js';
import { listRecipes } from '../recipes/listRecipes.js';
import { updateRecipe } from '../recipes/updateRecipe.js';
import type { Resolvers } from '../generated/graphql.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Query: {
    recipe: (_parent, args, ctx) => getRecipe(ctx.deps, args.id),
    recipes: (_parent, args, ctx, info) =>
      listRecipes(ctx.deps, args, { countTotal: selectsField(info, 'totalCount') }),
  },
  Mutation: {
    createRecipe: (_parent, args, ctx) => createRecipe(ctx.deps, args.input),
    updateRecipe: (_parent, args, ctx) => updateRecipe(ctx.deps, args.id, args.input),
    deleteRecipe: (_parent, args, ctx) => deleteRecipe(ctx.deps, args.id),
  },
  Recipe: {
    __resolveReference: (reference, ctx) => ctx.recipeById.load(reference.id),
  },
};
