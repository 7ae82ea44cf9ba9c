/** Routing keys, one per event type. Producers publish them; consumers bind to them. */
export const EVENT_TYPES = [
  'recipe.created',
  'recipe.updated',
  'recipe.deleted',
  'comment.added',
  'comment.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The service that publishes each event type, to its own exchange: the only one the type may arrive through. */
export const PRODUCER_OF = {
  'recipe.created': 'recipes',
  'recipe.updated': 'recipes',
  'recipe.deleted': 'recipes',
  'comment.added': 'comments',
  'comment.deleted': 'comments',
} as const satisfies Record<EventType, string>;

export type EventProducer = (typeof PRODUCER_OF)[EventType];

/** Every service that publishes events, each to its own exchange: `recipes`, `comments`. */
export const EVENT_PRODUCERS: readonly EventProducer[] = [...new Set(Object.values(PRODUCER_OF))];

/**
 * What each service consumes: the event types its work queue is bound to, all from one other
 * service. Its handler map takes exactly these (`ConsumerHandlers`), and a deployment's broker
 * definitions declare the queue and bindings from here before any service starts, so no event is
 * published before the queue that keeps it for its consumer exists.
 */
export const CONSUMED_BY = {
  comments: ['recipe.created', 'recipe.updated', 'recipe.deleted'],
  recipes: ['comment.added', 'comment.deleted'],
} as const satisfies Record<string, readonly EventType[]>;

export type EventConsumer = keyof typeof CONSUMED_BY;
export type ConsumedBy<Consumer extends EventConsumer> = (typeof CONSUMED_BY)[Consumer][number];

/** The service whose exchange `consumer`'s work queue is bound to. */
export function producerFor(consumer: EventConsumer): EventProducer {
  return PRODUCER_OF[CONSUMED_BY[consumer][0]];
}

/**
 * The message every Potluck event travels in. `data` holds the aggregate's full new
 * state (a delete holds its id), so a consumer never calls the producer back.
 * `aggregateVersion` rises on every change and lets consumers drop stale events.
 * `correlationId`, when present, names what caused the event: the id of the HTTP request,
 * or the correlation id of the event whose handling produced it. It is for logs only.
 * `actor`, when present, is the signed-in user whose request made the change (absent on
 * events older than identity and on changes no user asked for).
 */
export interface EventEnvelope<Data = unknown> {
  id: string;
  type: EventType;
  schemaVersion: number;
  occurredAt: string;
  aggregateId: string;
  aggregateVersion: number;
  correlationId?: string;
  actor?: Actor;
  data: Data;
}

/** Who made a change: a user's id (the token's subject) and their name when they made it. */
export interface Actor {
  id: string;
  name: string;
}

export const SCHEMA_VERSION = 1;

/** The longest correlation id an envelope carries: request ids are accepted up to this length. */
export const CORRELATION_ID_MAX_LENGTH = 128;

export interface NewEvent<Data> {
  id: string;
  type: EventType;
  occurredAt: Date;
  aggregateId: string;
  aggregateVersion: number;
  correlationId?: string | undefined;
  actor?: Actor | undefined;
  data: Data;
}

/** What every event of one change shares, whatever its type: its id, time, cause and actor. */
export type EventMeta = Pick<NewEvent<unknown>, 'id' | 'occurredAt' | 'correlationId' | 'actor'>;

export function createEnvelope<Data>(event: NewEvent<Data>): EventEnvelope<Data> {
  return {
    id: event.id,
    type: event.type,
    schemaVersion: SCHEMA_VERSION,
    occurredAt: event.occurredAt.toISOString(),
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    ...(event.correlationId && { correlationId: event.correlationId }),
    ...(event.actor && { actor: { id: event.actor.id, name: event.actor.name } }),
    data: event.data,
  };
}
