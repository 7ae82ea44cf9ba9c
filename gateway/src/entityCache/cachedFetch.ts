import { createHash } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayContext } from '../context.js';
import type { EntityCacheMetrics } from './cacheMetrics.js';
import type { EntityCache } from './entityCache.js';
import { tagsOfMutation, type EntityTag } from './invalidation.js';
import { describeOperation, type MutationField } from './subgraphOperation.js';
import { mergeEntities, remapErrorPath, splitEntities, tagOfRepresentation } from './splitEntities.js';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
export type Send = (options: ProcessOptions) => Promise<GatewayGraphQLResponse>;

/**
 * Carries, on each `_entities` fetch whose answers may be stored, the invalidation mark taken
 * before it. The subgraphs ignore it; it is there because `dedupeInflight` shares a call only
 * among requests with the same headers: a read that took its mark after an invalidation must
 * not join a call sent before it, whose answer may predate the change yet would be stored as
 * fresh. Calls with the same mark started after the same invalidations, so sharing them is safe.
 */
export const CACHE_MARK_HEADER = 'x-potluck-cache-mark';

export interface CachedFetchOptions {
  cache: EntityCache;
  metrics: EntityCacheMetrics;
  subgraph: string;
}

/**
 * A subgraph fetch through the entity cache: an `_entities` fetch is answered entity by entity
 * from the cache, and only the misses go to the subgraph (the answer keeps the order of the
 * representations); a mutation drops what it touched before its answer goes back; anything
 * else goes straight through.
 */
export function cachedFetch({ cache, metrics, subgraph }: CachedFetchOptions) {
  return async (options: ProcessOptions, send: Send): Promise<GatewayGraphQLResponse> => {
    const { query, variables = {} } = options.request;
    if (query === undefined) return send(options);
    const operation = describeOperation(query, 'document' in options ? options.document : undefined);
    if (operation.kind === 'mutation') return invalidatingMutation(cache, operation.fields, options, send);
    const { representations, ...rest } = variables as { representations?: unknown };
    if (operation.kind === 'uncacheable' || !Array.isArray(representations)) {
      metrics.bypassed(subgraph, 'uncacheable');
      return send(options);
    }
    if (!cache.serving) {
      metrics.bypassed(subgraph, 'not-serving');
      return send(options);
    }
    const keyed = entityKeys(`${subgraph}\n${operation.selection}\n${JSON.stringify(rest)}\n`, representations);
    const split = splitEntities(keyed, ({ key, tag }) => tag && cache.get(key, tag));
    metrics.lookedUp(subgraph, representations.length - split.missing.length, split.missing.length);
    if (split.missing.length === 0) return { data: { _entities: mergeEntities(split, []) } };
    const since = cache.mark();
    const missing = split.missing.map((position) => representations[position] as unknown);
    const response = await send({
      ...options,
      request: {
        ...options.request,
        variables: { ...rest, representations: missing },
        http: withMark(options.request.http, since),
      },
    });
    const errors = response.errors?.map((error) => remapErrorPath(error, split.missing));
    const fetched = response.data?._entities;
    if (!Array.isArray(fetched) || fetched.length !== missing.length) return { ...response, ...(errors && { errors }) };
    if (!errors?.length) {
      split.missing.forEach((position, index) => {
        const { key, tag } = keyed[position]!;
        if (tag) cache.set(key, tag, JSON.stringify(fetched[index] ?? null), since);
      });
    }
    return {
      ...response,
      data: { ...response.data, _entities: mergeEntities(split, fetched) },
      ...(errors && { errors }),
    };
  };
}

/** Each representation's key and tag; hashed, so a client's long variable or representation is not copied into every key. */
function entityKeys(prefix: string, representations: readonly unknown[]) {
  const hashed = createHash('sha256').update(prefix);
  return representations.map((representation) => ({
    key: hashed.copy().update(JSON.stringify(representation)).digest('base64url'),
    tag: tagOfRepresentation(representation),
  }));
}

/** The request's headers (Apollo copies them into the call) with the mark of this fetch. */
function withMark(http: ProcessOptions['request']['http'], since: number): ProcessOptions['request']['http'] {
  const headers = new Headers([...(http?.headers ?? [])]);
  headers.set(CACHE_MARK_HEADER, String(since));
  return { method: http?.method ?? 'POST', url: http?.url ?? '', headers };
}

/** Sends the mutation, then drops every entity it touched, whether it succeeded or not; an unknown one flushes. */
async function invalidatingMutation(
  cache: EntityCache,
  fields: readonly MutationField[],
  options: ProcessOptions,
  send: Send,
): Promise<GatewayGraphQLResponse> {
  let data: Record<string, unknown> | null | undefined;
  try {
    const response = await send(options);
    data = response.data;
    return response;
  } finally {
    const variables = options.request.variables ?? {};
    const touched = fields.map((field) =>
      tagsOfMutation(field.name, { args: field.args(variables), result: data?.[field.responseKey] }),
    );
    if (fields.length === 0 || touched.includes(undefined)) cache.flush();
    else cache.invalidate((touched as EntityTag[][]).flat(), 'mutation');
  }
}
