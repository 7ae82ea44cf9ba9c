/**
 * Whether a field of an entity, fetched by key from a subgraph, may be served from the cache:
 * `cache` when its value is the same for every viewer and changes only with an event the
 * gateway reads (see `invalidation.ts`), otherwise the reason it may not. A fetch that selects
 * any field without `cache` here (or of a type not listed: a field a reloaded supergraph adds
 * stays uncached until someone decides) goes to the subgraph every time.
 *
 * Viewer: no entity field below depends on who asks (the subgraphs' resolvers read the viewer
 * only in mutations and `Query.viewer`, a root field, never cached). Authors are snapshots
 * taken when the recipe or comment was written. Subscriptions rely on this too: a payload
 * selecting only listed fields is fetched once for every viewer (`subscriptions/viewerIndependence.ts`),
 * so a field whose value depends on the viewer must stay out of this list.
 */
export type FieldDecision = 'cache' | { never: string };

const COMMENT_COUNT_LAGS = {
  never:
    'the recipes service recounts it when it applies a comments event, a moment no event tells the gateway: ' +
    'an answer fetched after the gateway saw the comment event but before recipes applied it would stay stale',
};

export const ENTITY_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldDecision>>>> = {
  Recipe: {
    __typename: 'cache',
    id: 'cache',
    title: 'cache',
    description: 'cache',
    ingredients: 'cache',
    timeMinutes: 'cache',
    price: 'cache',
    author: 'cache',
    createdAt: 'cache',
    updatedAt: 'cache',
    commentCount: COMMENT_COUNT_LAGS,
    comments: 'cache',
  },
  Comment: {
    __typename: 'cache',
    id: 'cache',
    text: 'cache',
    author: 'cache',
    createdAt: 'cache',
    recipe: 'cache',
  },
};

/** Why a selection of `type` may not be cached, or undefined when every field in it may. */
export function uncacheableReason(type: string, fields: Iterable<string>): string | undefined {
  const decisions = ENTITY_FIELDS[type];
  if (!decisions) return `${type} is not a cached entity`;
  for (const field of fields) {
    const decision = Object.hasOwn(decisions, field) ? decisions[field] : undefined;
    if (decision === undefined) return `${type}.${field} has no cache decision`;
    if (decision !== 'cache') return `${type}.${field}: ${decision.never}`;
  }
  return undefined;
}
