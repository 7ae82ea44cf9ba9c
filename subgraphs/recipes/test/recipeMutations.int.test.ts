import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '@potluck/messaging';
import { graphqlRequest, TEST_USER } from '@potluck/testing';
import { useRecipesForTest } from './harness.js';
import {
  CREATE,
  DELETE,
  RECIPE,
  UPDATE,
  createRecipe,
  manualClock,
  onlyError,
  recordingIds,
  succeed,
  uniquePrefix,
  type RecipeJson,
} from './recipeApi.js';

const clock = manualClock();
const ids = recordingIds();
/** Ids a test wants issued next, before the recording ones. */
const forcedIds: string[] = [];
const service = useRecipesForTest({ clock: clock.now, newId: () => forcedIds.shift() ?? ids.next() });

function outboxOf(recipeId: string) {
  return service.prisma.outboxMessage.findMany({
    where: { aggregateId: recipeId },
    orderBy: { aggregateVersion: 'asc' },
  });
}

async function update(id: string, input: Record<string, unknown>): Promise<RecipeJson> {
  return (await succeed<{ updateRecipe: RecipeJson }>(service.url, UPDATE, { id, input })).updateRecipe;
}

/** What recipe events carry: the recipe's own state. commentCount is derived from comments, not part of it. */
function stateOf({ commentCount: _derived, ...recipe }: RecipeJson, version: number) {
  return { ...recipe, version };
}

describe('createRecipe', () => {
  it('returns the recipe with a two-place price string and ISO dates, stored at version 1', async () => {
    const at = clock.advance(60_000);
    const title = `${uniquePrefix()} Shakshuka`;
    const input = {
      title,
      description: 'Eggs in sauce',
      ingredients: ['eggs', 'tomatoes'],
      timeMinutes: 25,
      price: 45,
    };

    const { createRecipe: created } = await succeed<{ createRecipe: RecipeJson }>(service.url, CREATE, { input });

    expect(created).toEqual({
      ...input,
      id: expect.any(String),
      price: '45.00',
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      commentCount: 0,
    });
    expect(ids.issued).toContain(created.id);
    const row = await service.prisma.recipe.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.version).toBe(1);
    expect(row.price.toFixed(2)).toBe('45.00');
  });

  it('records exactly one recipe.created event carrying the full state, in the same database', async () => {
    const at = clock.advance(60_000);
    const created = await createRecipe(service.url, { price: '9.5', ingredients: ['rice'] });

    const rows = await outboxOf(created.id);

    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ type: 'recipe.created', aggregateVersion: 1, sentAt: null });
    expect(ids.issued).toContain(row?.id);
    expect(row?.id).not.toBe(created.id);
    expect(row?.payload).toEqual({
      id: row?.id,
      type: 'recipe.created',
      schemaVersion: SCHEMA_VERSION,
      occurredAt: at.toISOString(),
      aggregateId: created.id,
      aggregateVersion: 1,
      // The id of the HTTP request that caused it (generated: the test sends none).
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      actor: { id: TEST_USER.id, name: TEST_USER.name },
      data: stateOf({ ...created, price: '9.50' }, 1),
    });
  });

  it('answers, and announces, exactly what a later read of the stored recipe returns', async () => {
    // A lone surrogate is stored as U+FFFD (and jsonb refuses it as it is).
    const created = await createRecipe(service.url, { price: '3.1', description: 'x\udfffy', ingredients: ['\ud800'] });

    const { recipe } = await succeed<{ recipe: RecipeJson }>(service.url, RECIPE, { id: created.id });
    const [event] = await outboxOf(created.id);

    expect(created).toEqual(recipe);
    expect(recipe).toMatchObject({ description: 'x\ufffdy', ingredients: ['\ufffd'] });
    expect((event?.payload as { data: unknown }).data).toEqual(stateOf(recipe, 1));
  });

  it('writes neither the recipe nor its event when the event cannot be stored', async () => {
    const first = await createRecipe(service.url);
    const [firstEvent] = await outboxOf(first.id);
    const recipeId = randomUUID();
    // The next recipe's event reuses the first one's id: its outbox insert must fail.
    forcedIds.push(recipeId, firstEvent!.id);

    const response = await graphqlRequest(service.url, CREATE, {
      input: { title: 'Never stored', timeMinutes: 5, price: 1 },
    });

    expect(response.errors).toHaveLength(1);
    expect(await service.prisma.recipe.findUnique({ where: { id: recipeId } })).toBeNull();
    expect(await outboxOf(recipeId)).toEqual([]);
  });

  it('accepts the price as a number or a string and normalises it to two places', async () => {
    expect((await createRecipe(service.url, { price: 12 })).price).toBe('12.00');
    expect((await createRecipe(service.url, { price: 0.5 })).price).toBe('0.50');
    expect((await createRecipe(service.url, { price: '7' })).price).toBe('7.00');
  });
});

describe('updateRecipe', () => {
  it('changes only the given fields, raises the version and moves updatedAt', async () => {
    const createdAt = clock.advance(60_000);
    const created = await createRecipe(service.url, { description: 'keep me', ingredients: ['flour'] });
    const updatedAt = clock.advance(5_000);

    const updated = await update(created.id, { title: `${created.title} v2` });

    expect(updated).toEqual({ ...created, title: `${created.title} v2`, updatedAt: updatedAt.toISOString() });
    expect(updated.createdAt).toBe(createdAt.toISOString());
    expect(await service.prisma.recipe.findUnique({ where: { id: created.id } })).toMatchObject({ version: 2 });
  });

  it('raises the version by one on every update and records recipe.updated with the full new state', async () => {
    const created = await createRecipe(service.url);
    clock.advance(1_000);
    const second = await update(created.id, { price: '3.3' });
    const at = clock.advance(1_000);
    const third = await update(created.id, { timeMinutes: 90, ingredients: [] });

    expect(third).toMatchObject({ title: created.title, price: '3.30', timeMinutes: 90, ingredients: [] });
    const rows = await outboxOf(created.id);
    expect(rows.map((row) => [row.type, row.aggregateVersion])).toEqual([
      ['recipe.created', 1],
      ['recipe.updated', 2],
      ['recipe.updated', 3],
    ]);
    expect(rows[1]?.payload).toMatchObject({ data: stateOf(second, 2) });
    expect(rows[2]?.payload).toMatchObject({ occurredAt: at.toISOString(), data: stateOf(third, 3) });
    expect(await service.prisma.recipe.findUnique({ where: { id: created.id } })).toMatchObject({ version: 3 });
  });

  it('changes nothing and records nothing when no field is given', async () => {
    const created = await createRecipe(service.url);
    clock.advance(1_000);

    expect(await update(created.id, {})).toEqual(created);
    expect(await update(created.id, { title: null, price: null })).toEqual(created);

    expect(await service.prisma.recipe.findUnique({ where: { id: created.id } })).toMatchObject({ version: 1 });
    expect(await outboxOf(created.id)).toHaveLength(1);
  });
});

describe('deleteRecipe', () => {
  it('returns the id, removes the recipe and records recipe.deleted one version past the last state', async () => {
    const created = await createRecipe(service.url);
    await update(created.id, { timeMinutes: 5 });
    const at = clock.advance(1_000);

    const response = await graphqlRequest(service.url, DELETE, { id: created.id });

    expect(response).toMatchObject({ data: { deleteRecipe: created.id } });
    expect(await service.prisma.recipe.findUnique({ where: { id: created.id } })).toBeNull();
    expect((await graphqlRequest(service.url, RECIPE, { id: created.id })).data).toEqual({ recipe: null });
    const deleted = (await outboxOf(created.id)).at(-1);
    expect(deleted).toMatchObject({ type: 'recipe.deleted', aggregateVersion: 3 });
    expect(deleted?.payload).toMatchObject({ occurredAt: at.toISOString(), data: { id: created.id } });
  });

  it('answers and records the stored id when the client spells it in upper case', async () => {
    const created = await createRecipe(service.url);

    const response = await graphqlRequest(service.url, DELETE, { id: created.id.toUpperCase() });

    expect(response).toMatchObject({ data: { deleteRecipe: created.id } });
    const deleted = (await outboxOf(created.id)).at(-1);
    expect(deleted?.payload).toMatchObject({ aggregateId: created.id, data: { id: created.id } });
  });

  it('fails with NOT_FOUND the second time and records nothing more', async () => {
    const created = await createRecipe(service.url);
    await graphqlRequest(service.url, DELETE, { id: created.id });

    const again = await graphqlRequest(service.url, DELETE, { id: created.id });

    expect(onlyError(again)).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining(created.id) });
    expect((await outboxOf(created.id)).map((row) => row.type)).toEqual(['recipe.created', 'recipe.deleted']);
  });
});
