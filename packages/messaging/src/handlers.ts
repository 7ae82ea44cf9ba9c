import type { EventOf, EventType } from './contract/index.js';
import { PoisonMessage } from './classify.js';

/** Applies one validated event inside the consumer's transaction. A handler never acks. */
export type EventHandler<Tx, Type extends EventType = EventType> = (event: EventOf<Type>, tx: Tx) => Promise<void>;

/**
 * What a service consumes: one handler per event type, each taking that type's validated
 * event. The keys are the work queue's bindings, so this map is the one place that decides
 * what a service consumes.
 */
export type EventHandlers<Tx> = { readonly [Type in EventType]?: EventHandler<Tx, Type> };

/** The event types a handler map takes: the bindings of its work queue. */
export function handledTypes<Tx>(handlers: EventHandlers<Tx>): EventType[] {
  return (Object.keys(handlers) as EventType[]).filter((type) => handlers[type] !== undefined);
}

/**
 * One handler that passes each event to the map's handler for its type. A consumer bound
 * to `handledTypes(handlers)` parks other types before they get here; a type the map lacks
 * (a queue bound by hand) is poison.
 */
export function dispatchByType<Tx>(handlers: EventHandlers<Tx>): EventHandler<Tx> {
  return async (event, tx) => {
    const handler = handlers[event.type] as EventHandler<Tx> | undefined;
    if (!handler) throw new PoisonMessage(`no handler for ${event.type}`);
    await handler(event, tx);
  };
}
