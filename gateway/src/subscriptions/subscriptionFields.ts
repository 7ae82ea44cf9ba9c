import type { EventType, ValidEvent } from '@potluck/messaging';

/**
 * One field of `Subscription`: which events feed it, the argument that picks the events a
 * subscriber wants, and the `Query` field that resolves the payload's entity from its id.
 */
export interface SubscriptionField {
  name: string;
  /** The payload type, e.g. `CommentAddedEvent`. */
  payloadType: string;
  eventType: EventType;
  /** The argument compared with `keyOf(event)`: `recipeId` for `commentAdded(recipeId:)`. */
  keyArgument: string;
  /** The payload's entity field, and the `Query` field of the same name that takes its `id`. */
  entityField: string;
  /** The value a subscriber's key argument must equal, read from the event alone. */
  keyOf(event: ValidEvent): string;
}

export const SUBSCRIPTION_FIELDS: ReadonlyMap<string, SubscriptionField> = new Map(
  [
    {
      name: 'commentAdded',
      payloadType: 'CommentAddedEvent',
      eventType: 'comment.added' as const,
      keyArgument: 'recipeId',
      entityField: 'comment',
      keyOf: (event: ValidEvent) => (event.type === 'comment.added' ? event.data.recipeId : ''),
    },
    {
      name: 'recipeUpdated',
      payloadType: 'RecipeUpdatedEvent',
      eventType: 'recipe.updated' as const,
      keyArgument: 'id',
      entityField: 'recipe',
      keyOf: (event: ValidEvent) => event.aggregateId,
    },
  ].map((field) => [field.name, field]),
);

/** What one subscriber wants: a field's events whose key is `key`. */
export interface EventFilter {
  field: SubscriptionField;
  key: string;
}

/** Whether an event is one the subscriber asked for: decided from the event alone, before any fetch. */
export function matches(filter: EventFilter, event: ValidEvent): boolean {
  return event.type === filter.field.eventType && filter.field.keyOf(event) === filter.key;
}
