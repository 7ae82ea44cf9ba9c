import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '@potluck/messaging';
import { commentEventFixture, recipeEventFixture } from '@potluck/testing';
import { buildSchema, isObjectType } from 'graphql';
import { ENTITY_FIELDS, uncacheableReason } from '../src/entityCache/entityFields.js';
import { tagsOfEvent, tagsOfMutation } from '../src/entityCache/invalidation.js';
import { tagOfRepresentation } from '../src/entityCache/splitEntities.js';

const recipeId = randomUUID();
const commentId = randomUUID();

describe('which event invalidates what', () => {
  it('drops the recipe for every recipe event, and the comment and its recipe for every comment event', () => {
    const events = [
      recipeEventFixture('recipe.created', recipeId, 1),
      recipeEventFixture('recipe.updated', recipeId, 2),
      recipeEventFixture('recipe.deleted', recipeId, 3),
      commentEventFixture('comment.added', recipeId, commentId),
      commentEventFixture('comment.deleted', recipeId, commentId),
    ];
    expect(events.map((event) => event.type)).toEqual([...EVENT_TYPES]);
    expect(events.map((event) => [event.type, tagsOfEvent(event)])).toEqual([
      ['recipe.created', [`Recipe:${recipeId}`]],
      ['recipe.updated', [`Recipe:${recipeId}`]],
      ['recipe.deleted', [`Recipe:${recipeId}`]],
      ['comment.added', [`Comment:${commentId}`, `Recipe:${recipeId}`]],
      ['comment.deleted', [`Comment:${commentId}`, `Recipe:${recipeId}`]],
    ]);
  });
});

describe('which mutation invalidates what', () => {
  it('drops what the arguments and the answer name', () => {
    expect(tagsOfMutation('createRecipe', { args: {}, result: { id: recipeId } })).toEqual([`Recipe:${recipeId}`]);
    expect(tagsOfMutation('updateRecipe', { args: { id: recipeId }, result: { title: 't' } })).toEqual([
      `Recipe:${recipeId}`,
    ]);
    expect(tagsOfMutation('deleteRecipe', { args: { id: recipeId }, result: recipeId })).toEqual([
      `Recipe:${recipeId}`,
    ]);
    expect(tagsOfMutation('addComment', { args: { input: { recipeId } }, result: { id: commentId } })).toEqual([
      `Recipe:${recipeId}`,
      `Comment:${commentId}`,
    ]);
  });

  it('drops every recipe on deleteComment, whose answer names no recipe', () => {
    expect(tagsOfMutation('deleteComment', { args: { id: commentId }, result: commentId })).toEqual([
      `Comment:${commentId}`,
      'Recipe:*',
    ]);
  });

  it('still drops what the arguments name when the mutation failed (no answer)', () => {
    expect(tagsOfMutation('updateRecipe', { args: { id: recipeId }, result: undefined })).toEqual([
      `Recipe:${recipeId}`,
    ]);
  });

  it('knows nothing of a mutation it has no row for: the caller flushes', () => {
    expect(tagsOfMutation('renameEverything', { args: {}, result: null })).toBeUndefined();
    expect(tagsOfMutation('toString', { args: {}, result: null })).toBeUndefined();
  });

  it('drops the stored (lower-case) spelling of a uuid the client spelled in upper case', () => {
    const upper = recipeId.toUpperCase();
    expect(tagsOfMutation('updateRecipe', { args: { id: upper }, result: { title: 't' } })).toEqual([
      `Recipe:${recipeId}`,
    ]);
    expect(tagsOfMutation('deleteRecipe', { args: { id: upper }, result: recipeId })).toEqual([`Recipe:${recipeId}`]);
    expect(tagsOfMutation('addComment', { args: { input: { recipeId: upper } }, result: null })).toEqual([
      `Recipe:${recipeId}`,
    ]);
    expect(tagOfRepresentation({ __typename: 'Recipe', id: upper })).toBe(`Recipe:${recipeId}`);
    expect(tagOfRepresentation({ __typename: 'Recipe', id: 'Not-A-Uuid' })).toBe('Recipe:Not-A-Uuid');
  });

  it('ignores ids that are not strings (hostile or malformed input)', () => {
    expect(tagsOfMutation('updateRecipe', { args: { id: { $ne: 1 } }, result: null })).toEqual([]);
  });
});

describe('which entity fields may be cached', () => {
  const supergraph = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

  it('has a decision for every field of every cached entity in the API schema, and for no other', () => {
    for (const [type, decisions] of Object.entries(ENTITY_FIELDS)) {
      const schemaType = supergraph.getType(type);
      if (!isObjectType(schemaType)) throw new Error(`${type} is not an object type of the API`);
      expect(Object.keys(decisions).sort(), type).toEqual(
        ['__typename', ...Object.keys(schemaType.getFields())].sort(),
      );
    }
  });

  it('never caches commentCount, which changes when the recipes service applies an event the gateway never sees applied', () => {
    expect(uncacheableReason('Recipe', ['id', 'title', 'commentCount'])).toMatch(/^Recipe\.commentCount: /);
    expect(uncacheableReason('Recipe', ['id', 'title', 'comments'])).toBeUndefined();
  });

  it('refuses a type or a field it has no decision for', () => {
    expect(uncacheableReason('User', ['id'])).toBe('User is not a cached entity');
    expect(uncacheableReason('Recipe', ['secretScore'])).toBe('Recipe.secretScore has no cache decision');
    expect(uncacheableReason('Recipe', ['constructor'])).toBe('Recipe.constructor has no cache decision');
  });
});
