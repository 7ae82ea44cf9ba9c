import { BadUserInputError, checkPageSize, decodeCursor, encodeCursor, isUuid } from '@potluck/service';
import type { Prisma, Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import {
  afterCursorWhere,
  cursorValuesOf,
  isValidCursorValues,
  orderByOf,
  type RecipeOrderName,
} from './recipeOrder.js';
import { validateRecipeFilter, type RecipeFilter } from './recipeRules.js';

export interface ListRecipesArgs {
  first: number;
  after?: string | null;
  filter?: object | null;
  /** GraphQL passes an explicit `orderBy: null` through instead of the SDL default. */
  orderBy?: RecipeOrderName | null;
}

export interface RecipePage {
  edges: Array<{ cursor: string; node: Recipe }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * How many recipes match the filter: counted only for a client that asks (`count(*)` is not
   * free). Left out otherwise, so a selection the resolver failed to see fails loudly (`Int!`).
   */
  totalCount?: number;
}

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

function afterWhere(order: RecipeOrderName, after: string): Prisma.RecipeWhereInput {
  const values = decodeCursor(after, order);
  if (!isValidCursorValues(order, values) || !isUuid(String(values[1]))) {
    throw new BadUserInputError('after is not a valid cursor', 'after');
  }
  return afterCursorWhere(order, values);
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
  const edges = rows.slice(0, first).map((node) => ({
    cursor: encodeCursor(order, cursorValuesOf(order, node)),
    node,
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    ...(totalCount !== undefined && { totalCount }),
  };
}
