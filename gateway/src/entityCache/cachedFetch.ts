import { createHash } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { GatewayGraphQLResponse } from '../subgraphAnswers.js';
import type { EntityCacheMetrics } from './cacheMetrics.js';
import type { EntityCache } from './entityCache.js';
import { tagsOfMutation, type EntityTag } from './invalidation.js';
import type { ResponseCache } from './responseCache.js';
import { tagsOfRootField } from './rootFields.js';
import { describeOperation, type RootField } from './subgraphOperation.js';
import { mergeEntities, remapErrorPath, splitEntities, tagOfRepresentation } from './splitEntities.js';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
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
  /** Whole responses, told what each fetch of a client query was about; none when they are not kept. */
  responses?: ResponseCache;
  /** The API schema in force, to tell which root fetches a response may be kept with (none without). */
  schema?: () => GraphQLSchema | undefined;
}

/**
 * A subgraph fetch through the entity cache: an `_entities` fetch is answered entity by entity
 * from the cache, and only the misses go to the subgraph (the answer keeps the order of the
 * representations); a mutation drops what it touched before its answer goes back; anything
 * else goes straight through. Each fetch also tells the response cache what its answer is
 * about, or that the client's response may not be kept.
 */
export function cachedFetch({ cache, metrics, subgraph, responses, schema }: CachedFetchOptions) {
  return async (options: ProcessOptions, send: Send): Promise<GatewayGraphQLResponse> => {
    const { query, variables = {} } = options.request;
    const { context } = options;
    if (query === undefined) {
      responses?.note(context, undefined);
      return send(options);
    }
    const operation = describeOperation(query, 'document' in options ? options.document : undefined, schema?.());
    if (operation.kind === 'mutation') {
      responses?.note(context, undefined);
      return invalidatingMutation(cache, operation.fields, options, send);
    }
    if (operation.kind === 'root') {
      metrics.bypassed(subgraph, 'uncacheable');
      return responses ? recordedRoot(responses, operation.fields, options, send) : send(options);
    }
    const { representations, ...rest } = variables as { representations?: unknown };
    if (operation.kind === 'uncacheable' || !Array.isArray(representations)) {
      responses?.note(context, undefined);
      metrics.bypassed(subgraph, 'uncacheable');
      return send(options);
    }
    if (!cache.serving) {
      metrics.bypassed(subgraph, 'not-serving');
      return send(options);
    }
    const keyed = entityKeys(`${subgraph}\n${operation.selection}\n${JSON.stringify(rest)}\n`, representations);
    const tags = keyed.map(({ tag }) => tag);
    responses?.note(context, tags.includes(undefined) ? undefined : (tags as EntityTag[]));
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
    if (response.errors?.length) responses?.note(context, undefined);
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

/** The request's headers (`SubgraphDataSource` copies them into the call) with the mark of this fetch. */
function withMark(http: ProcessOptions['request']['http'], since: number): ProcessOptions['request']['http'] {
  const headers = new Headers([...(http?.headers ?? [])]);
  headers.set(CACHE_MARK_HEADER, String(since));
  return { method: http?.method ?? 'POST', url: http?.url ?? '', headers };
}

/**
 * Sends root query fields whose whole answer may be kept with the client's response, noting
 * what it is about. A response being recorded marks the call like an `_entities` fetch, so it
 * is not shared with a call sent before an invalidation the request had already seen.
 */
async function recordedRoot(
  responses: ResponseCache,
  fields: readonly RootField[],
  options: ProcessOptions,
  send: Send,
): Promise<GatewayGraphQLResponse> {
  const variables = options.request.variables ?? {};
  const decided = fields.map((field) => tagsOfRootField(field.name, field.args(variables)));
  const tags = decided.every(Array.isArray) ? decided.flat() : undefined;
  const since = responses.note(options.context, tags);
  const marked =
    since === undefined || tags === undefined
      ? options
      : { ...options, request: { ...options.request, http: withMark(options.request.http, since) } };
  const response = await send(marked);
  if (response.errors?.length) responses.note(options.context, undefined);
  return response;
}

/** Sends the mutation, then drops every entity it touched, whether it succeeded or not; an unknown one flushes. */
async function invalidatingMutation(
  cache: EntityCache,
  fields: readonly RootField[],
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
