import { describe, expect, it } from 'vitest';
import { Prisma, type Recipe } from '../src/generated/prisma/client.js';
import {
  afterCursorWhere,
  cursorValuesOf,
  isValidCursorValues,
  orderByOf,
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

describe('orderByOf', () => {
  it.each([
    ['NEWEST', { createdAt: 'desc' }, { id: 'desc' }],
    ['OLDEST', { createdAt: 'asc' }, { id: 'asc' }],
    ['TITLE', { title: 'asc' }, { id: 'asc' }],
    ['QUICKEST', { timeMinutes: 'asc' }, { id: 'asc' }],
    ['CHEAPEST', { price: 'asc' }, { id: 'asc' }],
  ] as const)('%s sorts by its key, then by id in the same direction', (order, key, tieBreak) => {
    expect(orderByOf(order)).toEqual([key, tieBreak]);
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

describe('afterCursorWhere', () => {
  it('ascending orders continue with a greater key, or the same key and a greater id', () => {
    expect(afterCursorWhere('QUICKEST', [25, ID])).toEqual({
      OR: [{ timeMinutes: { gt: 25 } }, { timeMinutes: 25, id: { gt: ID } }],
    });
  });

  it('NEWEST continues with an earlier date, or the same date and a smaller id', () => {
    const at = new Date('2026-03-01T12:00:00.000Z');
    expect(afterCursorWhere('NEWEST', [at.toISOString(), ID])).toEqual({
      OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: ID } }],
    });
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
