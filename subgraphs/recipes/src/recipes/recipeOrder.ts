import type { SqlParameters, SqlType } from '@potluck/db';
import { BadUserInputError, decodeCursor, isUuid, parseTimestamp } from '@potluck/service';
import type { Recipe } from '../generated/prisma/client.js';

export const RECIPE_ORDERS = ['NEWEST', 'OLDEST', 'TITLE', 'QUICKEST', 'CHEAPEST', 'MOST_COMMENTED'] as const;
export type RecipeOrderName = (typeof RECIPE_ORDERS)[number];

type SortField = 'createdAt' | 'title' | 'timeMinutes' | 'price' | 'commentCount';
type CursorValue = string | number;

interface OrderSpec {
  field: SortField;
  direction: 'asc' | 'desc';
}

/** Every order ends with the id, so positions are total and keyset cursors never skip or repeat. */
const ORDERS: Record<RecipeOrderName, OrderSpec> = {
  NEWEST: { field: 'createdAt', direction: 'desc' },
  OLDEST: { field: 'createdAt', direction: 'asc' },
  TITLE: { field: 'title', direction: 'asc' },
  QUICKEST: { field: 'timeMinutes', direction: 'asc' },
  CHEAPEST: { field: 'price', direction: 'asc' },
  MOST_COMMENTED: { field: 'commentCount', direction: 'desc' },
};

/** Each sort field's column, and the type a cursor's key is cast to. */
const COLUMNS: Record<SortField, { name: string; type: SqlType }> = {
  createdAt: { name: 'created_at', type: 'timestamptz' },
  title: { name: 'title', type: 'text' },
  timeMinutes: { name: 'time_minutes', type: 'int4' },
  price: { name: 'price', type: 'numeric' },
  commentCount: { name: 'comment_count', type: 'int4' },
};

/** The ORDER BY of a page in this order: the key, then the id, in the same direction. */
export function orderBySql(order: RecipeOrderName): string {
  const { field, direction } = ORDERS[order];
  const sql = direction === 'asc' ? 'ASC' : 'DESC';
  return `${COLUMNS[field].name} ${sql}, id ${sql}`;
}

/** The sort key of a row, as it goes into a cursor. */
export function cursorValuesOf(order: RecipeOrderName, recipe: Recipe): [CursorValue, string] {
  const { field } = ORDERS[order];
  const value = recipe[field];
  if (value instanceof Date) return [value.toISOString(), recipe.id];
  if (typeof value === 'number' || typeof value === 'string') return [value, recipe.id];
  return [value.toFixed(2), recipe.id];
}

/**
 * Rows strictly after the cursor's row in this order: (key, id) beyond (cursorKey, cursorId), as
 * one row comparison, which the (key, id) index answers. The values go in as parameters.
 */
export function afterCursorSql(order: RecipeOrderName, values: CursorValue[], parameters: SqlParameters): string {
  const { field, direction } = ORDERS[order];
  const column = COLUMNS[field];
  const [rawKey, id] = values;
  // The instant the cursor names, not its text: Postgres refuses offsets JavaScript reads (+16:00).
  const key = field === 'createdAt' ? new Date(String(rawKey)) : rawKey;
  const beyond = direction === 'asc' ? '>' : '<';
  return `(${column.name}, id) ${beyond} (${parameters.add(key, column.type)}, ${parameters.add(id, 'uuid')})`;
}

const INT4_MAX = 2_147_483_647;
const PRICE_KEY = /^\d{1,6}\.\d{2}$/;

/** Cursors come back from clients, so the key must be a value its column can hold, or the query would fail. */
export function isValidCursorValues(order: RecipeOrderName, values: CursorValue[]): boolean {
  const { field } = ORDERS[order];
  const [key, id] = values;
  if (values.length !== 2 || typeof id !== 'string') return false;
  if (field === 'createdAt') return parseTimestamp(key) !== undefined;
  if (field === 'timeMinutes' || field === 'commentCount')
    return Number.isInteger(key) && Math.abs(Number(key)) <= INT4_MAX;
  if (field === 'price') return typeof key === 'string' && PRICE_KEY.test(key);
  return typeof key === 'string' && !key.includes('\u0000');
}

/** Rows after a client's `after` cursor in this order; BAD_USER_INPUT for a cursor this order never made. */
export function afterSql(order: RecipeOrderName, after: string, parameters: SqlParameters): string {
  const values = decodeCursor(after, order);
  if (!isValidCursorValues(order, values) || !isUuid(String(values[1]))) {
    throw new BadUserInputError('after is not a valid cursor', 'after');
  }
  return afterCursorSql(order, values, parameters);
}
