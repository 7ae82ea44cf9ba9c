import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipeEventFixture } from '@potluck/testing';
import { dispatchByType, dispatchInOrder, recordBatchInInbox, type EventType } from '@potluck/messaging';
import { recipeEventHandlers } from '../src/events.js';
import { addComment } from './commentsClient.js';
import { startCommentsForTest } from './harness.js';

let service: Awaited<ReturnType<typeof startCommentsForTest>>;
const handlers = recipeEventHandlers({ clock: () => new Date(), newId: randomUUID });
const onRecipeEvent = dispatchByType(handlers);
const inOneBatch = dispatchInOrder(handlers);

beforeAll(async () => {
  service = await startCommentsForTest();
});
afterAll(() => service?.stop());

const apply = (type: EventType, recipeId: string, version: number) =>
  service.prisma.$transaction((tx) => onRecipeEvent(recipeEventFixture(type, recipeId, version), tx));

/** Applies `events` (type and version) to a new recipe in the order given; resolves with the replica they leave. */
async function replicaAfter(...events: Array<[EventType, number]>) {
  const id = randomUUID();
  for (const [type, version] of events) await apply(type, id, version);
  return service.prisma.recipeReplica.findUnique({ where: { id }, select: { version: true, deleted: true } });
}

describe('recipe events applied to the comments service', () => {
  it('records who made the change the replica applied, and nobody for an event no user caused', async () => {
    const id = randomUUID();
    const created = { ...recipeEventFixture('recipe.created', id, 1), actor: { id: 'ana', name: 'Ana' } };
    await service.prisma.$transaction((tx) => onRecipeEvent(created, tx));
    expect(await service.prisma.recipeReplica.findUnique({ where: { id } })).toMatchObject({ changedBy: 'ana' });
    await apply('recipe.updated', id, 2);
    expect(await service.prisma.recipeReplica.findUnique({ where: { id } })).toMatchObject({ changedBy: null });
  });

  it('ends at the newest version when v2 arrives before v1', async () => {
    expect(await replicaAfter(['recipe.updated', 2], ['recipe.created', 1])).toEqual({ version: 2, deleted: false });
  });

  it('stays deleted when an older update arrives after the delete', async () => {
    const replica = await replicaAfter(['recipe.created', 1], ['recipe.deleted', 3], ['recipe.updated', 2]);
    expect(replica).toEqual({ version: 3, deleted: true });
  });

  it('deletes the recipe’s comments with the tombstone and announces each once, even when the delete comes again', async () => {
    const id = randomUUID();
    await apply('recipe.created', id, 1);
    const comments = [
      await addComment(service, { recipeId: id, text: 'a' }),
      await addComment(service, { recipeId: id, text: 'b' }),
    ];
    await apply('recipe.deleted', id, 2);
    await apply('recipe.deleted', id, 2);

    expect(await service.prisma.comment.count({ where: { recipeId: id } })).toBe(0);
    const announced = await service.prisma.outboxMessage.findMany({
      where: { type: 'comment.deleted', aggregateId: { in: comments.map((c) => c.id) } },
    });
    expect(announced.map((row) => [row.aggregateId, row.aggregateVersion]).sort()).toEqual(
      comments.map((comment) => [comment.id, 2]).sort(),
    );
    expect(announced[0]?.payload).toMatchObject({ data: { recipeId: id } });
  });
});

describe('a delivery batch of recipe events', () => {
  const TYPES: EventType[] = ['recipe.created', 'recipe.updated', 'recipe.deleted'];
  /** Events for three recipes (by index), in any order, versions repeating and going back. */
  const arbitraryEvents = fc.array(
    fc.record({ recipe: fc.nat(2), type: fc.constantFrom(...TYPES), version: fc.integer({ min: 1, max: 4 }) }),
    { minLength: 1, maxLength: 12 },
  );

  async function replicasOf(ids: string[]) {
    const rows = await service.prisma.recipeReplica.findMany({ where: { id: { in: ids } } });
    return ids.map((id) => {
      const row = rows.find((replica) => replica.id === id);
      return row && { version: row.version, deleted: row.deleted, changedBy: row.changedBy };
    });
  }

  it('leaves the replica exactly as applying its events one at a time does, runs of creates and updates in one statement', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryEvents, async (events) => {
        const [oneByOne, batched] = [[0, 1, 2].map(() => randomUUID()), [0, 1, 2].map(() => randomUUID())];
        const eventsFor = (ids: string[]) =>
          events.map(({ recipe, type, version }, index) => ({
            ...recipeEventFixture(type, ids[recipe]!, version),
            actor: { id: `cook-${index}`, name: 'Cook' },
          }));
        for (const event of eventsFor(oneByOne)) await service.prisma.$transaction((tx) => onRecipeEvent(event, tx));
        await service.prisma.$transaction((tx) => inOneBatch(eventsFor(batched), tx));

        expect(await replicasOf(batched)).toEqual(await replicasOf(oneByOne));
      }),
      { numRuns: 40 },
    );
  });
});

describe("the inbox, through this service's Prisma transactions", () => {
  it('records a batch in one statement and tells each new message once, whatever its case', async () => {
    const [seen, fresh] = [randomUUID(), randomUUID().toUpperCase()];
    const record = (ids: string[]) =>
      service.prisma.$transaction(async (tx) => {
        const news = await recordBatchInInbox(
          tx,
          ids.map((id) => ({ id, type: 'recipe.created' })),
        );
        return ids.map((id) => news.take(id));
      });
    expect(await record([seen])).toEqual([true]);
    expect(await record([seen, fresh, fresh.toLowerCase()])).toEqual([false, true, false]);
    const kept = await service.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM inbox WHERE message_id IN (${seen}::uuid, ${fresh}::uuid)`;
    expect(kept).toEqual([{ n: 2 }]);
  });
});
