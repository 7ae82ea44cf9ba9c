import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@potluck/service';
import { validateNewComment } from '../src/comments/commentRules.js';

const RECIPE_ID = '0190a6c2-7b1e-7c3d-8e4f-123456789abc';

function valid(overrides: Record<string, unknown> = {}) {
  return { recipeId: RECIPE_ID, text: 'Lovely soup', author: 'Ann', ...overrides };
}

function rejectionOf(input: object): BadUserInputError {
  try {
    validateNewComment(input);
  } catch (error) {
    if (error instanceof BadUserInputError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

function expectRejectedFor(input: object, field: string) {
  const error = rejectionOf(input);
  expect(error.code).toBe('BAD_USER_INPUT');
  expect(error.field).toBe(field);
  expect(error.message).toContain(field);
}

describe('text', () => {
  it('accepts 1 and 2000 characters', () => {
    expect(validateNewComment(valid({ text: 'x' })).text).toBe('x');
    expect(validateNewComment(valid({ text: 'x'.repeat(2000) })).text).toHaveLength(2000);
  });

  it('rejects 2001 characters, naming the limit', () => {
    expectRejectedFor(valid({ text: 'x'.repeat(2001) }), 'text');
    expect(rejectionOf(valid({ text: 'x'.repeat(2001) })).message).toContain('2000');
  });

  it.each(['', ' ', '  \n\t  '])('rejects empty or whitespace-only text %j', (text) => {
    expectRejectedFor(valid({ text }), 'text');
  });

  it('trims surrounding whitespace, and counts the limit after trimming', () => {
    expect(validateNewComment(valid({ text: '  Lovely soup \n' })).text).toBe('Lovely soup');
    expect(validateNewComment(valid({ text: ` ${'x'.repeat(2000)} ` })).text).toHaveLength(2000);
  });

  it('counts characters as Postgres does, so an emoji is one', () => {
    expect(validateNewComment(valid({ text: '😀'.repeat(2000) })).text).toBe('😀'.repeat(2000));
    expectRejectedFor(valid({ text: '😀'.repeat(2001) }), 'text');
  });

  it('rejects a NUL character, which Postgres cannot store', () => {
    expectRejectedFor(valid({ text: 'a\u0000b' }), 'text');
  });

  it.each([undefined, null, 42])('rejects a missing or non-string text (%j)', (text) => {
    expectRejectedFor(valid({ text }), 'text');
  });
});

describe('author', () => {
  it('is not part of the input: the signed-in user is the author', () => {
    expect(validateNewComment(valid({ author: 'admin' }))).not.toHaveProperty('author');
  });
});

describe('recipeId', () => {
  it('accepts a UUID in either case', () => {
    expect(validateNewComment(valid()).recipeId).toBe(RECIPE_ID);
    expect(validateNewComment(valid({ recipeId: RECIPE_ID.toUpperCase() })).recipeId).toBe(RECIPE_ID.toUpperCase());
  });

  it.each(['not-a-uuid', '', '42', `${RECIPE_ID}0`, RECIPE_ID.replaceAll('-', '')])('rejects %j', (recipeId) => {
    expectRejectedFor(valid({ recipeId }), 'recipeId');
  });

  it.each([undefined, null, 7])('rejects a missing or non-string recipeId (%j)', (recipeId) => {
    expectRejectedFor(valid({ recipeId }), 'recipeId');
  });
});

it('reports every broken rule at once, with the first field as the error field', () => {
  const error = rejectionOf({ recipeId: 'nope', text: '' });
  expect(error.field).toBe('recipeId');
  expect(error.message).toContain('recipeId');
  expect(error.message).toContain('text');
});
