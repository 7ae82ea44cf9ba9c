import { randomUUID } from 'node:crypto';
import { createEnvelope, validateEvent, type EventOf, type EventSyncProbes, type EventType } from '@potluck/messaging';

/** A valid recipe event as the recipes service would publish it (full state, or the id for a delete). */
export function recipeEventFixture<Type extends EventType>(
  type: Type,
  recipeId: string,
  version: number,
  id: string = randomUUID(),
): EventOf<Type> {
  const at = new Date().toISOString();
  const data =
    type === 'recipe.deleted'
      ? { id: recipeId }
      : {
          id: recipeId,
          title: 't',
          description: '',
          ingredients: [],
          timeMinutes: 1,
          price: '1.00',
          createdAt: at,
          updatedAt: at,
          version,
        };
  return validateEvent(
    createEnvelope({ id, type, occurredAt: new Date(), aggregateId: recipeId, aggregateVersion: version, data }),
  ) as EventOf<Type>;
}

/** A valid comment.added or comment.deleted event as the comments service would publish it. */
export function commentEventFixture<Type extends 'comment.added' | 'comment.deleted'>(
  type: Type,
  recipeId: string,
  commentId: string = randomUUID(),
  version = type === 'comment.added' ? 1 : 2,
): EventOf<Type> {
  const data =
    type === 'comment.deleted'
      ? { id: commentId, recipeId }
      : { id: commentId, recipeId, text: 'hi', author: 'anonymous', createdAt: new Date().toISOString(), version };
  return validateEvent(
    createEnvelope({
      id: randomUUID(),
      type,
      occurredAt: new Date(),
      aggregateId: commentId,
      aggregateVersion: version,
      data,
    }),
  ) as EventOf<Type>;
}

/** What the event-sync gauges read, as a healthy subgraph with a small backlog answers; `overrides` change any part. */
export function eventSyncProbesFixture(overrides: Partial<EventSyncProbes> = {}): EventSyncProbes {
  return {
    outboxStats: async () => ({ backlog: 3, oldestAgeMs: 1500 }),
    outboxMaxAgeMs: 30_000,
    brokerConnected: () => true,
    consumerRunning: () => true,
    parkedCount: async () => 2,
    onBrokerConnect: () => undefined,
    ...overrides,
  };
}
