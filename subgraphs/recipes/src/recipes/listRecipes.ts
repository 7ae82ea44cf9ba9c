import { checkPageSize, encodeCursor, pageOf, type Page } from '@potluck/service';
import type { Prisma, Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { afterWhere, cursorValuesOf, orderByOf, type RecipeOrderName } from './recipeOrder.js';
import { validateRecipeFilter, type RecipeFilter } from './recipeRules.js';

export interface ListRecipesArgs {
  first: number;
  after?: string | null;
  filter?: object | null;
  /** GraphQL passes an explicit `orderBy: null` through instead of the SDL default. */
  orderBy?: RecipeOrderName | null;
}

/** Recipes in the asked order; `totalCount` is how many match the filter. */
export type RecipePage = Page<Recipe>;

export interface ListRecipesOptions {
  /** Count alongside the page, in parallel, because the operation selects `totalCount`. */
  countTotal: boolean;
}

/** Prisma sends `contains` to ILIKE as is, so `%` and `_` would act as wildcards unless escaped. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function filterWhere(filter: RecipeFilter): Prisma.RecipeWhereInput {
  const { titleContains } = filter;
  return {
    ...(titleContains !== undefined && { title: { contains: likeLiteral(titleContains), mode: 'insensitive' } }),
    ...(filter.maxTimeMinutes !== undefined && { timeMinutes: { lte: filter.maxTimeMinutes } }),
    ...(filter.maxPrice !== undefined && { price: { lte: filter.maxPrice } }),
  };
}

/** A Relay page of recipes: keyset pagination (one row extra to learn hasNextPage), and the filtered total when asked. */
export async function listRecipes(
  deps: Pick<RecipeDeps, 'prisma'>,
  args: ListRecipesArgs,
  { countTotal }: ListRecipesOptions,
): Promise<RecipePage> {
  const first = checkPageSize(args.first);
  const order = args.orderBy ?? 'NEWEST';
  const matching = filterWhere(validateRecipeFilter(args.filter));
  const page = args.after ? { AND: [matching, afterWhere(order, args.after)] } : matching;
  const [rows, totalCount] = await Promise.all([
    deps.prisma.recipe.findMany({ where: page, orderBy: orderByOf(order), take: first + 1 }),
    countTotal ? deps.prisma.recipe.count({ where: matching }) : undefined,
  ]);
  const edge = {
    nodeOf: (row: Recipe) => row,
    cursorOf: (row: Recipe) => encodeCursor(order, cursorValuesOf(order, row)),
  };
  return pageOf(rows, first, edge, totalCount);
}
