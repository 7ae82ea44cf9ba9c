import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, DecimalScalar } from '@potluck/service';
import { createRecipe } from '../recipes/createRecipe.js';
import { deleteRecipe } from '../recipes/deleteRecipe.js';
import { getRecipe } from '../recipes/getRecipes.js';
import { listRecipes, type ListRecipesArgs } from '../recipes/listRecipes.js';
import { updateRecipe } from '../recipes/updateRecipe.js';
import type { RecipesContext } from './context.js';

export const resolvers: GraphQLResolverMap<RecipesContext> = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Query: {
    recipe: (_parent, args: { id: string }, ctx) => getRecipe(ctx.deps, args.id),
    recipes: (_parent, args: ListRecipesArgs, ctx) => listRecipes(ctx.deps, args),
  },
  Mutation: {
    createRecipe: (_parent, args: { input: object }, ctx) => createRecipe(ctx.deps, args.input),
    updateRecipe: (_parent, args: { id: string; input: object }, ctx) => updateRecipe(ctx.deps, args.id, args.input),
    deleteRecipe: (_parent, args: { id: string }, ctx) => deleteRecipe(ctx.deps, args.id),
  },
  Recipe: {
    __resolveReference: (reference: { id: string }, ctx: RecipesContext) => ctx.recipeById.load(reference.id),
  },
};
