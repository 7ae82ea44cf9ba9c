import { describe, expect, it } from 'vitest';
import { SqlParameters } from '@potluck/db';
import { Prisma, type Recipe } from '../src/generated/prisma/client.js';
import {
  afterCursorSql,
  cursorValuesOf,
  isValidCursorValues,
  orderBySql,
  RECIPE_ORDERS,
} from '../src/recipes/recipeOrder.js';

const ID = '0195d0a4-7c1e-7b3a-9f00-0123456789ab';

const recipe: Recipe = {
  id: ID,
  title: 'Shakshuka',
  description: '',
  ingredients: [],
  timeMinutes: 25,
  price: new Prisma.Decimal('7.5'),
  createdAt: new Date('2026-03-01T12:00:00.000Z'),
  updatedAt: new Date('2026-03-02T12:00:00.000Z'),
  version: 1,
  authorId: 'ana',
  authorName: 'Ana',
  commentCount: 0,
};

describe('orderBySql', () => {
  it.each([
    ['NEWEST', 'created_at DESC, id DESC'],
    ['OLDEST', 'created_at ASC, id ASC'],
    ['TITLE', 'title ASC, id ASC'],
    ['QUICKEST', 'time_minutes ASC, id ASC'],
    ['CHEAPEST', 'price ASC, id ASC'],
    ['MOST_COMMENTED', 'comment_count DESC, id DESC'],
  ] as const)('%s sorts by its key, then by id in the same direction', (order, sql) => {
    expect(orderBySql(order)).toBe(sql);
  });
});

describe('cursorValuesOf', () => {
  it.each([
    ['NEWEST', '2026-03-01T12:00:00.000Z'],
    ['OLDEST', '2026-03-01T12:00:00.000Z'],
    ['TITLE', 'Shakshuka'],
    ['QUICKEST', 25],
    ['CHEAPEST', '7.50'],
  ] as const)('%s keeps the sort key as JSON-safe %j, then the id', (order, key) => {
    expect(cursorValuesOf(order, recipe)).toEqual([key, ID]);
  });

  it('produces values that its own validity check accepts, for every order', () => {
    for (const order of RECIPE_ORDERS) {
      expect(isValidCursorValues(order, cursorValuesOf(order, recipe))).toBe(true);
    }
  });
});

describe('afterCursorSql', () => {
  it('ascending orders continue with a greater (key, id), the values as parameters', () => {
    const parameters = new SqlParameters();
    parameters.add('%soup%', 'text');
    expect(afterCursorSql('QUICKEST', [25, ID], parameters)).toBe('(time_minutes, id) > ($2::int4, $3::uuid)');
    expect(parameters.values).toEqual(['%soup%', 25, ID]);
  });

  it('NEWEST continues with an earlier (date, id)', () => {
    const parameters = new SqlParameters();
    const at = '2026-03-01T12:00:00.000Z';
    expect(afterCursorSql('NEWEST', [at, ID], parameters)).toBe('(created_at, id) < ($1::timestamptz, $2::uuid)');
    expect(parameters.values).toEqual([new Date(at), ID]);
  });
});

describe('isValidCursorValues', () => {
  it.each([
    ['NEWEST', ['not a date', ID]],
    ['OLDEST', [12, ID]],
    ['TITLE', [12, ID]],
    ['QUICKEST', ['25', ID]],
    ['QUICKEST', [2.5, ID]],
    ['QUICKEST', [1e300, ID]],
    ['CHEAPEST', [7.5, ID]],
    ['CHEAPEST', ['cheap', ID]],
    ['CHEAPEST', ['7.50', 42]],
    ['TITLE', ['Shakshuka']],
    ['TITLE', ['Shakshuka', ID, 'extra']],
  ] as const)('%s refuses %j', (order, values) => {
    expect(isValidCursorValues(order, [...values])).toBe(false);
  });
});
