import type { ConsumedBy, EventConsumer, EventOf, EventType } from './contract/index.js';
import { PoisonMessage } from './classify.js';

/** Applies one validated event inside the consumer's transaction. A handler never acks. */
export type EventHandler<Tx, Type extends EventType = EventType> = (event: EventOf<Type>, tx: Tx) => Promise<void>;

/**
 * Applies several events at once (one statement for many, say), in the order they arrived,
 * inside the consumer's transaction. It must leave exactly the state that applying them one
 * at a time would. The consumer hands it each run of consecutive events it handles in a
 * delivery batch (one object may handle several types), so the order across handlers is kept.
 */
export interface BatchHandler<Tx, Event extends EventOf<EventType> = EventOf<EventType>> {
  batch(events: Event[], tx: Tx): Promise<void>;
}

export type TypeHandler<Tx, Type extends EventType = EventType> =
  EventHandler<Tx, Type> | BatchHandler<Tx, EventOf<Type>>;

/**
 * What a service consumes: one handler per event type, each taking that type's validated
 * events. The keys are the work queue's bindings, so this map is the one place that decides
 * what a service consumes.
 */
export type EventHandlers<Tx> = { readonly [Type in EventType]?: TypeHandler<Tx, Type> };

/** A service's handler map: one handler for each type it consumes (`CONSUMED_BY`), and no other. */
export type ConsumerHandlers<Consumer extends EventConsumer, Tx> = {
  readonly [Type in ConsumedBy<Consumer>]: TypeHandler<Tx, Type>;
};

/** The event types a handler map takes: the bindings of its work queue. */
export function handledTypes<Tx>(handlers: EventHandlers<Tx>): EventType[] {
  return (Object.keys(handlers) as EventType[]).filter((type) => handlers[type] !== undefined);
}

/** One step of applying a delivery batch: an item on its own, or a run of items for one batch handler. */
export interface HandlerStep<Tx, Item> {
  items: Item[];
  apply(tx: Tx): Promise<void>;
}

/**
 * Splits events (in arrival order) into the steps that apply them: each event alone for its
 * type's handler, or consecutive events handled by the same batch handler together. A consumer
 * bound to `handledTypes(handlers)` parks other types before they get here; a type the map
 * lacks (a queue bound by hand) is poison.
 */
export function handlerSteps<Tx, Item extends { event: EventOf<EventType> }>(
  handlers: EventHandlers<Tx>,
  items: readonly Item[],
): Array<HandlerStep<Tx, Item>> {
  const steps: Array<HandlerStep<Tx, Item>> = [];
  let run: { items: Item[]; handler: BatchHandler<Tx> } | undefined;
  for (const item of items) {
    const { type } = item.event;
    const handler = handlers[type] as TypeHandler<Tx> | undefined;
    if (!handler) throw new PoisonMessage(`no handler for ${type}`);
    if (typeof handler === 'function') {
      run = undefined;
      steps.push({ items: [item], apply: (tx) => handler(item.event, tx) });
    } else if (run?.handler === handler) {
      run.items.push(item);
    } else {
      const started = { items: [item], handler };
      run = started;
      steps.push({
        items: started.items,
        apply: (tx) =>
          handler.batch(
            started.items.map((one) => one.event),
            tx,
          ),
      });
    }
  }
  return steps;
}

/** Applies events in order, as the consumer would within one batch, with the map's handlers (for tests and tools). */
export function dispatchInOrder<Tx>(
  handlers: EventHandlers<Tx>,
): (events: ReadonlyArray<EventOf<EventType>>, tx: Tx) => Promise<void> {
  return async (events, tx) => {
    const items = events.map((event) => ({ event }));
    for (const step of handlerSteps(handlers, items)) await step.apply(tx);
  };
}

/** One handler that applies a single event with the map's handler for its type (for tests and tools). */
export function dispatchByType<Tx>(handlers: EventHandlers<Tx>): EventHandler<Tx> {
  const inOrder = dispatchInOrder(handlers);
  return (event, tx) => inOrder([event], tx);
}
