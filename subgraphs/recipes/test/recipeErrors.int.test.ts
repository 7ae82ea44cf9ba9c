import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { graphqlRequest } from '@potluck/testing';
import { useRecipesForTest } from './harness.js';
import { CREATE, DELETE, RECIPE, UPDATE, createRecipe, onlyError, validInput } from './recipeApi.js';

const service = useRecipesForTest();

async function rowCounts() {
  const [recipes, outbox] = await Promise.all([service.prisma.recipe.count(), service.prisma.outboxMessage.count()]);
  return { recipes, outbox };
}

const tooMany = Array.from({ length: 101 }, () => 'egg');

/** [what is wrong, input fields, field the message must name]: one row per rule. */
const BAD_INPUTS: Array<[string, Record<string, unknown>, string]> = [
  ['an empty title', { title: '' }, 'title'],
  ['a blank title', { title: '   ' }, 'title'],
  ['a 201-character title', { title: 'a'.repeat(201) }, 'title'],
  ['a title holding a NUL character', { title: 'a\u0000b' }, 'title'],
  ['a description holding a NUL character', { description: '\u0000' }, 'description'],
  ['an ingredient holding a NUL character', { ingredients: ['a\u0000b'] }, 'ingredients'],
  ['a 5001-character description', { description: 'd'.repeat(5001) }, 'description'],
  ['101 ingredients', { ingredients: tooMany }, 'ingredients'],
  ['an empty ingredient', { ingredients: ['egg', ''] }, 'ingredients'],
  ['a 201-character ingredient', { ingredients: ['z'.repeat(201)] }, 'ingredients'],
  ['timeMinutes 0', { timeMinutes: 0 }, 'timeMinutes'],
  ['timeMinutes 10081', { timeMinutes: 10_081 }, 'timeMinutes'],
  ['a negative price', { price: '-0.01' }, 'price'],
  ['a negative number price', { price: -1 }, 'price'],
  ['a price over 999999.99', { price: '1000000.00' }, 'price'],
  ['a price with three decimals', { price: '1.005' }, 'price'],
  ['a number price with three decimals', { price: 1.005 }, 'price'],
  ['a price that is not a number', { price: 'cheap' }, 'price'],
];

describe('createRecipe with bad input', () => {
  it.each(BAD_INPUTS)('refuses %s with BAD_USER_INPUT naming the field, writing nothing', async (_, bad, field) => {
    const before = await rowCounts();

    const response = await graphqlRequest(service.url, CREATE, { input: validInput(bad) });

    expect(onlyError(response)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringContaining(field) });
    expect(response.data ?? null).toBeNull();
    expect(await rowCounts()).toEqual(before);
  });

  it('accepts every limit at its boundary, so the rules and the database columns agree', async () => {
    const input = validInput({
      title: 'a'.repeat(200),
      description: 'd'.repeat(5000),
      ingredients: Array.from({ length: 100 }, () => 'i'.repeat(200)),
      timeMinutes: 10_080,
      price: '999999.99',
    });

    const response = await graphqlRequest(service.url, CREATE, { input });

    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({ createRecipe: { ...input, price: '999999.99' } });
  });

  it('accepts the lower boundaries: one-character title, one minute, free', async () => {
    const recipe = await createRecipe(service.url, { title: 'x', timeMinutes: 1, price: 0 });
    expect(recipe).toMatchObject({ title: 'x', timeMinutes: 1, price: '0.00' });
  });
});

describe('updateRecipe with bad input', () => {
  it.each(BAD_INPUTS)('refuses %s and leaves the recipe as it was', async (_, bad, field) => {
    const recipe = await createRecipe(service.url);
    const before = await rowCounts();

    const response = await graphqlRequest(service.url, UPDATE, { id: recipe.id, input: bad });

    expect(onlyError(response)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringContaining(field) });
    expect(await rowCounts()).toEqual(before);
    expect((await graphqlRequest(service.url, RECIPE, { id: recipe.id })).data).toEqual({ recipe });
    expect(await service.prisma.recipe.findUnique({ where: { id: recipe.id } })).toMatchObject({ version: 1 });
  });
});

describe('a recipe that is not there', () => {
  const unknownIds = [
    ['an unknown id', randomUUID()],
    ['a malformed id', 'nope'],
  ];

  it.each(unknownIds)('updateRecipe on %s fails with NOT_FOUND, with or without changes', async (_, id) => {
    const before = await rowCounts();
    for (const input of [{ title: 'Renamed' }, {}]) {
      const response = await graphqlRequest(service.url, UPDATE, { id, input });
      expect(onlyError(response)).toEqual({ code: 'NOT_FOUND', message: `recipe ${id} was not found` });
    }
    expect(await rowCounts()).toEqual(before);
  });

  it.each(unknownIds)('deleteRecipe on %s fails with NOT_FOUND and writes nothing', async (_, id) => {
    const before = await rowCounts();
    const response = await graphqlRequest(service.url, DELETE, { id });
    expect(onlyError(response)).toEqual({ code: 'NOT_FOUND', message: `recipe ${id} was not found` });
    expect(await rowCounts()).toEqual(before);
  });

  it.each(unknownIds)('recipe(id) with %s is null, not an error', async (_, id) => {
    const response = await graphqlRequest(service.url, RECIPE, { id });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ recipe: null });
  });
});
