import type { GraphQLFormattedError } from 'graphql';
import { entityTag, type EntityTag } from './invalidation.js';

/** The entity a representation names, when it is keyed by a string `id` (every Potluck entity is). */
export function tagOfRepresentation(representation: unknown): EntityTag | undefined {
  const { __typename: type, id } = (representation ?? {}) as { __typename?: unknown; id?: unknown };
  return typeof type === 'string' && typeof id === 'string' ? entityTag(type, id) : undefined;
}

/** An `_entities` fetch cut in two: answers found by position, and the positions still to fetch. */
export interface SplitEntities {
  found: Array<string | undefined>;
  missing: number[];
}

/** Looks every representation up; `lookup` answers the cached JSON of one, or undefined. */
export function splitEntities<T>(
  representations: readonly T[],
  lookup: (representation: T) => string | undefined,
): SplitEntities {
  const found = representations.map((representation) => lookup(representation));
  const missing = found.flatMap((json, index) => (json === undefined ? [index] : []));
  return { found, missing };
}

/**
 * The answer in the order of the original representations: cached ones parsed afresh (the
 * gateway merges into what it is given, so no two requests may share an object), fetched
 * ones where the fetch of the `missing` positions put them.
 */
export function mergeEntities(split: SplitEntities, fetched: readonly unknown[]): unknown[] {
  const fetchedAt = new Map(split.missing.map((position, index) => [position, fetched[index]]));
  return split.found.map((json, position) => (json === undefined ? fetchedAt.get(position) : JSON.parse(json)));
}

/** A subgraph error's path `_entities.<i>…` names the i-th fetched representation: put back its original position. */
export function remapErrorPath(error: GraphQLFormattedError, missing: readonly number[]): GraphQLFormattedError {
  const [root, index, ...rest] = error.path ?? [];
  if (root !== '_entities' || typeof index !== 'number' || missing[index] === undefined) return error;
  return { ...error, path: [root, missing[index], ...rest] };
}
