import { SqlParameters } from '@potluck/db';
import { checkPageSize, encodeCursor, pageOf, type Page } from '@potluck/service';
import { Prisma, type Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { afterSql, cursorValuesOf, orderBySql, type RecipeOrderName } from './recipeOrder.js';
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

/** A recipes row as node-postgres reads it. */
interface RecipeRow {
  id: string;
  title: string;
  description: string;
  ingredients: string[];
  time_minutes: number;
  price: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  author_id: string;
  author_name: string;
  comment_count: number;
}

const RECIPE_COLUMNS =
  'id, title, description, ingredients, time_minutes, price, created_at, updated_at, version, author_id, author_name, comment_count';

function toRecipe(row: RecipeRow): Recipe {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ingredients: row.ingredients,
    timeMinutes: row.time_minutes,
    price: new Prisma.Decimal(row.price),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    authorId: row.author_id,
    authorName: row.author_name,
    commentCount: row.comment_count,
  };
}

/** ILIKE would read `%` and `_` in a title as wildcards unless escaped (backslash is its escape). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** The filter's conditions, its values added to `parameters`. */
function filterConditions(filter: RecipeFilter, parameters: SqlParameters): string[] {
  const conditions: string[] = [];
  if (filter.titleContains !== undefined) {
    conditions.push(`title ILIKE ${parameters.add(`%${likeLiteral(filter.titleContains)}%`, 'text')}`);
  }
  if (filter.maxTimeMinutes !== undefined) {
    conditions.push(`time_minutes <= ${parameters.add(filter.maxTimeMinutes, 'int4')}`);
  }
  if (filter.maxPrice !== undefined) conditions.push(`price <= ${parameters.add(filter.maxPrice, 'numeric')}`);
  return conditions;
}

const whereOf = (conditions: string[]) => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');

async function countRecipes(deps: Pick<RecipeDeps, 'sql'>, filter: RecipeFilter): Promise<number> {
  const parameters = new SqlParameters();
  const where = whereOf(filterConditions(filter, parameters));
  const [row] = await deps.sql.rows<{ total: number }>(
    `SELECT count(*)::int AS total FROM recipes${where}`,
    parameters.values,
  );
  return row!.total;
}

/**
 * A Relay page of recipes: keyset pagination (one row extra to learn hasNextPage), and the
 * filtered total when asked. Read with plain SQL, not Prisma's client, because this is the
 * read every page of the app makes (`SqlReads`).
 */
export async function listRecipes(
  deps: Pick<RecipeDeps, 'sql'>,
  args: ListRecipesArgs,
  { countTotal }: ListRecipesOptions,
): Promise<RecipePage> {
  const first = checkPageSize(args.first);
  const order = args.orderBy ?? 'NEWEST';
  const filter = validateRecipeFilter(args.filter);
  const parameters = new SqlParameters();
  const conditions = filterConditions(filter, parameters);
  if (args.after) conditions.push(afterSql(order, args.after, parameters));
  const limit = parameters.add(first + 1, 'int4');
  const [rows, totalCount] = await Promise.all([
    deps.sql.rows<RecipeRow>(
      `SELECT ${RECIPE_COLUMNS} FROM recipes${whereOf(conditions)} ORDER BY ${orderBySql(order)} LIMIT ${limit}`,
      parameters.values,
    ),
    countTotal ? countRecipes(deps, filter) : undefined,
  ]);
  const edge = {
    nodeOf: (recipe: Recipe) => recipe,
    cursorOf: (recipe: Recipe) => encodeCursor(order, cursorValuesOf(order, recipe)),
  };
  return pageOf(rows.map(toRecipe), first, edge, totalCount);
}
