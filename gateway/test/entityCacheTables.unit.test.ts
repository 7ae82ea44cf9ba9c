import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '@potluck/messaging';
import { commentEventFixture, recipeEventFixture } from '@potluck/testing';
import { buildSchema, isObjectType } from 'graphql';
import { ENTITY_FIELDS, uncacheableReason } from '../src/entityCache/entityFields.js';
import { tagsOfEvent, tagsOfMutation } from '../src/entityCache/invalidation.js';
import { ROOT_FIELDS, tagsOfRootField } from '../src/entityCache/rootFields.js';
import { describeOperation } from '../src/entityCache/subgraphOperation.js';
import { tagOfRepresentation } from '../src/entityCache/splitEntities.js';

const recipeId = randomUUID();
const commentId = randomUUID();

describe('which event invalidates what', () => {
  it('drops the recipe and every list of recipes for every recipe event, and the comment and its recipe for every comment event', () => {
    const events = [
      recipeEventFixture('recipe.created', recipeId, 1),
      recipeEventFixture('recipe.updated', recipeId, 2),
      recipeEventFixture('recipe.deleted', recipeId, 3),
      commentEventFixture('comment.added', recipeId, commentId),
      commentEventFixture('comment.deleted', recipeId, commentId),
    ];
    expect(events.map((event) => event.type)).toEqual([...EVENT_TYPES]);
    expect(events.map((event) => [event.type, tagsOfEvent(event)])).toEqual([
      ['recipe.created', [`Recipe:${recipeId}`, 'Recipe[]:*']],
      ['recipe.updated', [`Recipe:${recipeId}`, 'Recipe[]:*']],
      ['recipe.deleted', [`Recipe:${recipeId}`, 'Recipe[]:*']],
      ['comment.added', [`Comment:${commentId}`, `Recipe:${recipeId}`]],
      ['comment.deleted', [`Comment:${commentId}`, `Recipe:${recipeId}`]],
    ]);
  });
});

describe('which mutation invalidates what', () => {
  it('drops what the arguments and the answer name', () => {
    expect(tagsOfMutation('createRecipe', { args: {}, result: { id: recipeId } })).toEqual([
      `Recipe:${recipeId}`,
      'Recipe[]:*',
    ]);
    expect(tagsOfMutation('updateRecipe', { args: { id: recipeId }, result: { title: 't' } })).toEqual([
      `Recipe:${recipeId}`,
      'Recipe[]:*',
    ]);
    expect(tagsOfMutation('deleteRecipe', { args: { id: recipeId }, result: recipeId })).toEqual([
      `Recipe:${recipeId}`,
      'Recipe[]:*',
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
      'Recipe[]:*',
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
      'Recipe[]:*',
    ]);
    expect(tagsOfMutation('deleteRecipe', { args: { id: upper }, result: recipeId })).toEqual([
      `Recipe:${recipeId}`,
      'Recipe[]:*',
    ]);
    expect(tagsOfMutation('addComment', { args: { input: { recipeId: upper } }, result: null })).toEqual([
      `Recipe:${recipeId}`,
    ]);
    expect(tagOfRepresentation({ __typename: 'Recipe', id: upper })).toBe(`Recipe:${recipeId}`);
    expect(tagOfRepresentation({ __typename: 'Recipe', id: 'Not-A-Uuid' })).toBe('Recipe:Not-A-Uuid');
  });

  it('ignores ids that are not strings (hostile or malformed input): only the lists go', () => {
    expect(tagsOfMutation('updateRecipe', { args: { id: { $ne: 1 } }, result: null })).toEqual(['Recipe[]:*']);
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

describe('which root fields a response may be kept with', () => {
  it('reads an argument the client left out from its variable’s default, as the subgraph will', () => {
    const query = `query($o: RecipeOrder = MOST_COMMENTED, $first: Int) { recipes(first: $first, orderBy: $o) { edges { node { id } } } } # ${randomUUID()}`;
    const operation = describeOperation(query, undefined, api);
    if (operation.kind !== 'root') throw new Error(`not a root fetch: ${JSON.stringify(operation)}`);
    const [recipes] = operation.fields;
    expect(recipes!.args({ first: 2 })).toEqual({ first: 2, orderBy: 'MOST_COMMENTED' });
    expect(tagsOfRootField('recipes', recipes!.args({}))).toMatchObject({ never: expect.any(String) });
    expect(recipes!.args({ o: 'TITLE' })).toEqual({ first: undefined, orderBy: 'TITLE' });
  });

  const api = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));
  const describeRoot = (query: string) => describeOperation(`${query} # ${randomUUID()}`, undefined, api);

  it('has a decision for every root query field of the API schema, and for no other', () => {
    expect(Object.keys(ROOT_FIELDS).sort()).toEqual(Object.keys(api.getQueryType()!.getFields()).sort());
  });

  it('keeps a page of recipes under every list of recipes, and one entity under its own tag', () => {
    expect(tagsOfRootField('recipes', { first: 20 })).toEqual(['Recipe[]:*']);
    expect(tagsOfRootField('recipes', { orderBy: 'TITLE' })).toEqual(['Recipe[]:*']);
    expect(tagsOfRootField('recipe', { id: recipeId.toUpperCase() })).toEqual([`Recipe:${recipeId}`]);
    expect(tagsOfRootField('comment', { id: commentId })).toEqual([`Comment:${commentId}`]);
  });

  it('never keeps the viewer, a page ordered by comment count, an id that is not a string, or a field without a row', () => {
    expect(tagsOfRootField('viewer', {})).toMatchObject({ never: expect.stringMatching(/who asks/) });
    expect(tagsOfRootField('recipes', { orderBy: 'MOST_COMMENTED' })).toMatchObject({ never: expect.any(String) });
    expect(tagsOfRootField('recipes', { orderBy: 'SOME_NEW_ORDER' })).toMatchObject({ never: expect.any(String) });
    expect(tagsOfRootField('recipes', { orderBy: { $ne: 1 } })).toMatchObject({ never: expect.any(String) });
    expect(tagsOfRootField('recipe', { id: { $ne: 1 } })).toMatchObject({ never: expect.any(String) });
    expect(tagsOfRootField('toString', {})).toMatchObject({ never: 'Query.toString has no decision' });
  });

  it('describes a root fetch as keepable only when no field of a cached entity inside it, at any depth, is uncacheable', () => {
    expect(
      describeRoot('query { recipes(first: 2) { edges { node { id title } } pageInfo { endCursor } } }'),
    ).toMatchObject({
      kind: 'root',
      fields: [{ name: 'recipes' }],
    });
    expect(describeRoot('query { recipes { edges { node { ... on Recipe { commentCount } } } } }')).toEqual({
      kind: 'uncacheable',
      reason: expect.stringMatching(/^Recipe\.commentCount: /),
    });
    expect(describeRoot('query { recipes { edges { node { unknownField } } } }')).toEqual({
      kind: 'uncacheable',
      reason: 'Recipe.unknownField is not in the API schema',
    });
    expect(describeRoot('query { comment(id: "c") { text recipe { id __typename } } }')).toMatchObject({
      kind: 'root',
    });
    expect(describeRoot('query { comment(id: "c") { recipe { id comments { totalCount } } } }')).toEqual({
      kind: 'uncacheable',
      reason: 'Recipe.comments inside Comment.recipe: no tag of the answer covers it',
    });
    expect(describeOperation(`query { recipe(id: "x") { id } } # ${randomUUID()}`)).toEqual({
      kind: 'uncacheable',
      reason: 'no API schema yet',
    });
  });
});
