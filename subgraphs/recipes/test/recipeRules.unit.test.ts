import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@potluck/service';
import { LIMITS, validateNewRecipe, validateRecipeChanges, validateRecipeFilter } from '../src/recipes/recipeRules.js';

const valid = { title: 'Shakshuka', timeMinutes: 30, price: '12.50' };

function rejection(validate: () => unknown): BadUserInputError {
  try {
    validate();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return error as BadUserInputError;
  }
  throw new Error('expected the input to be rejected');
}

function expectRejected(input: object, field: string, messagePart: string) {
  const error = rejection(() => validateNewRecipe({ ...valid, ...input }));
  expect(error.message).toContain(field);
  expect(error.message).toContain(messagePart);
  expect(error.details.field).toBe(field);
}

describe('a new recipe', () => {
  it('gets an empty description and no ingredients when they are not given, and a two-place price', () => {
    expect(validateNewRecipe(valid)).toEqual({ ...valid, description: '', ingredients: [] });
  });

  it('treats null like an omitted field', () => {
    expect(validateNewRecipe({ ...valid, description: null, ingredients: null })).toMatchObject({
      description: '',
      ingredients: [],
    });
  });

  it('needs a title, a time and a price', () => {
    for (const field of ['title', 'timeMinutes', 'price']) {
      const input: Record<string, unknown> = { ...valid };
      delete input[field];
      expect(rejection(() => validateNewRecipe(input)).details.field).toBe(field);
    }
  });
});

describe('title', () => {
  it('accepts 1 and 200 characters, trimming surrounding spaces', () => {
    expect(validateNewRecipe({ ...valid, title: 'a' }).title).toBe('a');
    expect(validateNewRecipe({ ...valid, title: 'a'.repeat(200) }).title).toHaveLength(200);
    expect(validateNewRecipe({ ...valid, title: `  ${'a'.repeat(200)}  ` }).title).toBe('a'.repeat(200));
  });

  it('rejects an empty or blank title and one of 201 characters', () => {
    expectRejected({ title: '' }, 'title', 'must not be empty');
    expectRejected({ title: '   ' }, 'title', 'must not be empty');
    expectRejected({ title: 'a'.repeat(LIMITS.titleMax + 1) }, 'title', 'at most 200 characters');
  });
});

describe('text that Postgres cannot store', () => {
  it('rejects a NUL character in every text field, naming the field', () => {
    expectRejected({ title: 'a\u0000b' }, 'title', 'NUL');
    expectRejected({ description: 'a\u0000b' }, 'description', 'NUL');
    expect(rejection(() => validateNewRecipe({ ...valid, ingredients: ['\u0000'] })).message).toContain('ingredients');
    expect(rejection(() => validateRecipeFilter({ titleContains: '\u0000' })).message).toContain(
      'filter.titleContains',
    );
  });
});

describe('description', () => {
  it('accepts up to 5000 characters and rejects 5001', () => {
    expect(validateNewRecipe({ ...valid, description: 'd'.repeat(5000) }).description).toHaveLength(5000);
    expectRejected({ description: 'd'.repeat(5001) }, 'description', 'at most 5000 characters');
  });
});

describe('ingredients', () => {
  it('accepts 100 items of 1 to 200 characters', () => {
    const ingredients = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'x' : 'y'.repeat(200)));
    expect(validateNewRecipe({ ...valid, ingredients }).ingredients).toEqual(ingredients);
  });

  it('rejects 101 items', () => {
    expectRejected({ ingredients: Array.from({ length: 101 }, () => 'egg') }, 'ingredients', 'at most 100 items');
  });

  it('rejects an empty or blank item and one of 201 characters, naming ingredients', () => {
    for (const bad of ['', '  ', 'z'.repeat(201)]) {
      const error = rejection(() => validateNewRecipe({ ...valid, ingredients: ['egg', bad] }));
      expect(error.message).toContain('ingredients');
      expect(error.details.field).toBe('ingredients.1');
    }
  });
});

describe('timeMinutes', () => {
  it('accepts 1 and 10080', () => {
    expect(validateNewRecipe({ ...valid, timeMinutes: 1 }).timeMinutes).toBe(1);
    expect(validateNewRecipe({ ...valid, timeMinutes: 10_080 }).timeMinutes).toBe(10_080);
  });

  it('rejects 0, 10081 and fractions', () => {
    expectRejected({ timeMinutes: 0 }, 'timeMinutes', 'at least 1');
    expectRejected({ timeMinutes: 10_081 }, 'timeMinutes', 'at most 10080');
    expectRejected({ timeMinutes: 2.5 }, 'timeMinutes', 'whole number');
  });
});

describe('price', () => {
  it.each([
    ['0', '0.00'],
    ['45', '45.00'],
    ['45.5', '45.50'],
    ['0.01', '0.01'],
    ['999999.99', '999999.99'],
    [45.5, '45.50'],
    [0, '0.00'],
    [999_999.99, '999999.99'],
  ])('accepts %j as %s', (price, stored) => {
    expect(validateNewRecipe({ ...valid, price }).price).toBe(stored);
  });

  it.each([
    ['-0.01', 'at least 0'],
    [-1, 'at least 0'],
    ['1000000', 'at most 999999.99'],
    [1_000_000, 'at most 999999.99'],
    ['999999.991', 'at most 2 decimal places'],
    ['1.001', 'at most 2 decimal places'],
    [1.001, 'at most 2 decimal places'],
  ])('rejects %j (%s)', (price, messagePart) => {
    expectRejected({ price }, 'price', messagePart);
  });
});

describe('changes to a recipe', () => {
  it('keeps only the fields given, so an empty or all-null input changes nothing', () => {
    expect(validateRecipeChanges({})).toEqual({});
    expect(validateRecipeChanges({ title: null, price: null })).toEqual({});
    expect(validateRecipeChanges({ price: '7' })).toEqual({ price: '7.00' });
  });

  it('applies the same limits as a new recipe', () => {
    expect(rejection(() => validateRecipeChanges({ title: '' })).details.field).toBe('title');
    expect(rejection(() => validateRecipeChanges({ timeMinutes: 10_081 })).details.field).toBe('timeMinutes');
    expect(rejection(() => validateRecipeChanges({ price: '-1' })).message).toContain('price must be at least 0');
  });
});

describe('recipe filter', () => {
  it('accepts no filter and normalises maxPrice', () => {
    expect(validateRecipeFilter(undefined)).toEqual({});
    expect(validateRecipeFilter(null)).toEqual({});
    expect(validateRecipeFilter({ titleContains: 'soup', maxTimeMinutes: 0, maxPrice: '5' })).toEqual({
      titleContains: 'soup',
      maxTimeMinutes: 0,
      maxPrice: '5.00',
    });
  });

  it('rejects a negative bound or an overlong search, naming the filter field', () => {
    expect(rejection(() => validateRecipeFilter({ maxTimeMinutes: -1 })).message).toContain('filter.maxTimeMinutes');
    expect(rejection(() => validateRecipeFilter({ maxPrice: '-1' })).message).toContain('filter.maxPrice');
    expect(rejection(() => validateRecipeFilter({ titleContains: 'x'.repeat(201) })).message).toContain(
      'filter.titleContains',
    );
  });
});
