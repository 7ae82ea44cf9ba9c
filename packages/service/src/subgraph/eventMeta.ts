import type { EventMeta } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import type { OperationDeps } from './subgraph.js';

/** The metadata of an event a request causes: a new id, the change's time, the request id and the user. */
export function newEventMeta(deps: OperationDeps<unknown>, now: Date, user?: User): EventMeta {
  return {
    id: deps.newId(),
    occurredAt: now,
    correlationId: deps.correlationId(),
    ...(user && { actor: { id: user.id, name: user.name } }),
  };
}
