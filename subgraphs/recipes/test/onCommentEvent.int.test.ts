import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PoisonMessage, dispatchByType, type ValidEvent } from '@potluck/messaging';
import { queryRows, waitFor } from '@potluck/testing';
import { commentEventHandlers } from '../src/events.js';
import { commentAddedEvent, commentDeletedEvent } from './commentEvents.js';
import { useRecipesForTest } from './harness.js';
import { createRecipe } from './recipeApi.js';

const service = useRecipesForTest();

const handle = dispatchByType(commentEventHandlers);
const apply = (event: ValidEvent) => service.prisma.$transaction((tx) => handle(event, tx));

async function commentCount(recipeId: string): Promise<number> {
  return (await service.prisma.recipe.findUniqueOrThrow({ where: { id: recipeId } })).commentCount;
}

/** Sessions of the service's database waiting for a lock another transaction holds. */
async function lockWaiters(): Promise<number> {
  const [row] = await queryRows(
    service.databaseUrl,
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return Number(row?.n);
}

function replicaOf(commentId: string) {
  return service.prisma.commentReplica.findUnique({
    where: { id: commentId },
    select: { version: true, deleted: true },
  });
}

describe('comment events applied to the recipes service', () => {
  it('records who made the change the replica applied', async () => {
    const recipe = await createRecipe(service.url);
    const commentId = randomUUID();
    await apply({ ...commentAddedEvent(recipe.id, commentId), actor: { id: 'joe', name: 'Joe' } });
    expect(await service.prisma.commentReplica.findUnique({ where: { id: commentId } })).toMatchObject({
      changedBy: 'joe',
    });
    await apply({ ...commentDeletedEvent(recipe.id, commentId), actor: { id: 'mo', name: 'Mo' } });
    expect(await service.prisma.commentReplica.findUnique({ where: { id: commentId } })).toMatchObject({
      changedBy: 'mo',
      deleted: true,
    });
  });

  it('counts added comments and uncounts deleted ones, from the replica rows', async () => {
    const recipe = await createRecipe(service.url);
    const [a, b] = [randomUUID(), randomUUID()];
    await apply(commentAddedEvent(recipe.id, a));
    await apply(commentAddedEvent(recipe.id, b));
    expect(await commentCount(recipe.id)).toBe(2);
    await apply(commentDeletedEvent(recipe.id, a));
    expect(await commentCount(recipe.id)).toBe(1);
    expect(await replicaOf(a)).toEqual({ version: 2, deleted: true });
  });

  it('counts a comment once when its event arrives again under another message id', async () => {
    const recipe = await createRecipe(service.url);
    const commentId = randomUUID();
    await apply(commentAddedEvent(recipe.id, commentId));
    await apply(commentAddedEvent(recipe.id, commentId));
    expect(await commentCount(recipe.id)).toBe(1);
  });

  it('keeps the tombstone when comment.deleted arrives before comment.added', async () => {
    const recipe = await createRecipe(service.url);
    const commentId = randomUUID();
    await apply(commentDeletedEvent(recipe.id, commentId));
    await apply(commentAddedEvent(recipe.id, commentId));
    expect(await replicaOf(commentId)).toEqual({ version: 2, deleted: true });
    expect(await commentCount(recipe.id)).toBe(0);
  });

  it('counts both comments when two consumers (replicas) apply events of one recipe at the same time', async () => {
    const recipe = await createRecipe(service.url);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appliedFirst!: () => void;
    const firstApplied = new Promise<void>((resolve) => (appliedFirst = resolve));
    const first = service.prisma.$transaction(async (tx) => {
      await handle(commentAddedEvent(recipe.id), tx);
      appliedFirst();
      await held;
    });
    await firstApplied;
    const second = apply(commentAddedEvent(recipe.id));
    await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
      what: 'the second to wait for the first',
    });
    release();
    await Promise.all([first, second]);
    expect(await commentCount(recipe.id)).toBe(2);
  });

  it('refuses events this service does not handle as poison', async () => {
    const stray = { ...commentAddedEvent(randomUUID()), type: 'recipe.deleted' } as unknown as ValidEvent;
    await expect(apply(stray)).rejects.toThrow(PoisonMessage);
    await expect(apply(stray)).rejects.toThrow(/no handler for recipe.deleted/);
  });
});
