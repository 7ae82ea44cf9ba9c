import { DateTimeScalar, DecimalScalar, selectsField, signedIn } from '@potluck/service';
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
    viewer: (_parent, _args, ctx) => ctx.viewer && { id: ctx.viewer.id, name: ctx.viewer.name },
    recipe: (_parent, args, ctx) => getRecipe(ctx.deps, args.id),
    recipes: (_parent, args, ctx, info) =>
      listRecipes(ctx.deps, args, { countTotal: selectsField(info, 'totalCount') }),
  },
  Mutation: {
    createRecipe: (_parent, args, ctx) => createRecipe(ctx.deps, signedIn(ctx.viewer, 'create a recipe'), args.input),
    updateRecipe: (_parent, args, ctx) =>
      updateRecipe(ctx.deps, signedIn(ctx.viewer, 'update a recipe'), args.id, args.input),
    deleteRecipe: (_parent, args, ctx) => deleteRecipe(ctx.deps, signedIn(ctx.viewer, 'delete a recipe'), args.id),
  },
  Recipe: {
    __resolveReference: (reference, ctx) => ctx.recipeById.load(reference.id),
    author: (recipe) => ({ id: recipe.authorId, name: recipe.authorName }),
  },
};
