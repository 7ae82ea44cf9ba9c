import { describe, expect, it } from 'vitest';
import type { Viewer } from '@potluck/identity';
import { errorCodes, graphqlRequest, testUsers } from '@potluck/testing';
import { useRecipesForTest } from './harness.js';
import { DELETE, UPDATE, validInput } from './recipeApi.js';

const { ana, joe, moderator } = testUsers;
const service = useRecipesForTest();

const CREATE_WITH_AUTHOR = `mutation($input: CreateRecipeInput!) {
  createRecipe(input: $input) { id title author { id name } } }`;

function send(as: Viewer, query: string, variables: Record<string, unknown>) {
  return graphqlRequest<Record<string, unknown>>(service.url, query, variables, {}, { as });
}

async function recipeBy(author: Viewer): Promise<string> {
  const response = await send(author, CREATE_WITH_AUTHOR, { input: validInput() });
  expect(response.errors).toBeUndefined();
  return (response.data?.createRecipe as { id: string }).id;
}

/** The recipe's row and every event it has: a refused change must leave both as they were. */
async function footprint(id: string) {
  return {
    row: await service.prisma.recipe.findUnique({ where: { id } }),
    events: await service.prisma.outboxMessage.count({ where: { aggregateId: id } }),
  };
}

describe('Query.viewer', () => {
  it('is the signed-in user, and null for nobody', async () => {
    expect((await send(ana, '{ viewer { id name } }', {})).data).toEqual({ viewer: { id: 'ana', name: 'Ana' } });
    expect((await send(null, '{ viewer { id name } }', {})).data).toEqual({ viewer: null });
  });
});

describe('recipe authors', () => {
  it('are who created the recipe', async () => {
    const response = await send(joe, CREATE_WITH_AUTHOR, { input: validInput() });
    expect(response.data?.createRecipe).toMatchObject({ author: { id: 'joe', name: 'Joe' } });
    const row = await service.prisma.recipe.findUnique({
      where: { id: (response.data?.createRecipe as { id: string }).id },
    });
    expect(row).toMatchObject({ authorId: 'joe', authorName: 'Joe' });
  });
});

describe('who may change a recipe', () => {
  it.each([['createRecipe', CREATE_WITH_AUTHOR, () => ({ input: validInput() })]])(
    '%s: nobody signed in is UNAUTHENTICATED and nothing is written',
    async (_name, query, variables) => {
      const before = await service.prisma.recipe.count();
      const response = await send(null, query, variables());
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(await service.prisma.recipe.count()).toBe(before);
    },
  );

  it.each([
    ['updateRecipe', UPDATE, (id: string) => ({ id, input: { title: 'Mine now' } })],
    ['updateRecipe with no fields', UPDATE, (id: string) => ({ id, input: {} })],
    ['deleteRecipe', DELETE, (id: string) => ({ id })],
  ])(
    '%s: nobody signed in is UNAUTHENTICATED, another user FORBIDDEN; nothing changes',
    async (_name, query, variables) => {
      const id = await recipeBy(ana);
      const before = await footprint(id);
      expect(errorCodes(await send(null, query, variables(id)))).toEqual(['UNAUTHENTICATED']);
      const refused = await send(joe, query, variables(id));
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.errors?.[0]?.message).toContain("recipe's author or a moderator");
      expect(await footprint(id)).toEqual(before);
    },
  );

  it('lets the author update and delete their recipe', async () => {
    const id = await recipeBy(ana);
    expect(errorCodes(await send(ana, UPDATE, { id, input: { title: 'Better title' } }))).toEqual([]);
    expect((await send(ana, DELETE, { id })).data).toEqual({ deleteRecipe: id });
  });

  it("lets a moderator update and delete anyone's recipe, and the events name the moderator", async () => {
    const id = await recipeBy(ana);
    expect(errorCodes(await send(moderator, UPDATE, { id, input: { title: 'Moderated' } }))).toEqual([]);
    expect((await send(moderator, DELETE, { id })).data).toEqual({ deleteRecipe: id });
    const events = await service.prisma.outboxMessage.findMany({
      where: { aggregateId: id },
      orderBy: { position: 'asc' },
    });
    expect(events.map((event) => [event.type, (event.payload as { actor?: unknown }).actor])).toEqual([
      ['recipe.created', { id: 'ana', name: 'Ana' }],
      ['recipe.updated', { id: 'mo', name: 'Mo' }],
      ['recipe.deleted', { id: 'mo', name: 'Mo' }],
    ]);
  });

  it('is NOT_FOUND (not FORBIDDEN) for a recipe that does not exist', async () => {
    const response = await send(joe, DELETE, { id: '0195d0a4-7c1e-7b3a-9f00-0123456789ab' });
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('keeps archived recipes (older than identity) for moderators only', async () => {
    const id = await recipeBy(ana);
    await service.prisma.recipe.update({
      where: { id },
      data: { authorId: 'potluck-archive', authorName: 'Potluck archive' },
    });
    expect(errorCodes(await send(ana, UPDATE, { id, input: { title: 'Mine?' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send(moderator, UPDATE, { id, input: { title: 'Kept' } }))).toEqual([]);
  });
});
