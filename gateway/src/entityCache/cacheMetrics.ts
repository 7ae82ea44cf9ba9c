import { metricsOn } from '@potluck/telemetry/metrics';
import type { Registry } from 'prom-client';

export type BypassReason = 'uncacheable' | 'not-serving';
export type InvalidationSource = 'event' | 'mutation' | 'flush';

/** What the metrics read from the cache when scraped. */
export interface EntityCacheProbe {
  bytes(): number;
  entries(): number;
  serving(): boolean;
}

export interface EntityCacheMetrics {
  lookedUp(subgraph: string, hits: number, misses: number): void;
  bypassed(subgraph: string, reason: BypassReason): void;
  invalidated(source: InvalidationSource, tags: number): void;
}

/**
 * The entity cache's metrics on the gateway's `/metrics`: lookups by result (one per entity
 * representation), fetches that bypass it and why, invalidations by source, and its size.
 * Subgraph names come from the supergraph and the other labels are closed sets: bounded.
 */
export function entityCacheMetrics(registry: Registry, probe: EntityCacheProbe): EntityCacheMetrics {
  const declare = metricsOn(registry);
  const lookups = declare.counter(
    'potluck_gateway_entity_cache_lookups_total',
    'Entities of _entities fetches looked up in the entity cache, by subgraph and result (hit, miss)',
    ['subgraph', 'result'],
  );
  const bypasses = declare.counter(
    'potluck_gateway_entity_cache_bypassed_total',
    'Subgraph queries sent without the entity cache: uncacheable (a root field, or a field that may not be cached) or not-serving (no event stream)',
    ['subgraph', 'reason'],
  );
  const invalidations = declare.counter(
    'potluck_gateway_entity_cache_invalidations_total',
    'Entities the entity cache dropped, by source: event, mutation (through this gateway), flush (whole cache)',
    ['source'],
  );
  declare.reading(
    'potluck_gateway_entity_cache_bytes',
    'Estimated bytes the entity cache holds (at most ENTITY_CACHE_MAX_BYTES)',
    probe.bytes,
  );
  declare.reading('potluck_gateway_entity_cache_entries', 'Answers the entity cache holds', probe.entries);
  declare.reading(
    'potluck_gateway_entity_cache_serving',
    '1 while the entity cache serves answers: the gateway reads the event stream',
    () => (probe.serving() ? 1 : 0),
  );
  for (const source of ['event', 'mutation', 'flush'] as const) invalidations.labels(source).inc(0);
  return {
    lookedUp(subgraph, hits, misses) {
      if (hits) lookups.labels(subgraph, 'hit').inc(hits);
      if (misses) lookups.labels(subgraph, 'miss').inc(misses);
    },
    bypassed: (subgraph, reason) => bypasses.labels(subgraph, reason).inc(),
    invalidated: (source, tags) => invalidations.labels(source).inc(tags),
  };
}

/** For a gateway whose metrics are off. */
export const NO_METRICS: EntityCacheMetrics = {
  lookedUp: () => undefined,
  bypassed: () => undefined,
  invalidated: () => undefined,
};

export type ResponseLookup = 'hit' | 'miss' | 'not-serving';

export interface ResponseCacheMetrics {
  lookedUp(result: ResponseLookup): void;
}

/** What the response metrics read when scraped. */
export interface ResponseCacheProbe {
  bytes(): number;
  entries(): number;
}

/** The response cache's metrics: one lookup per client query, by result, and its size. */
export function responseCacheMetrics(registry: Registry, probe: ResponseCacheProbe): ResponseCacheMetrics {
  const declare = metricsOn(registry);
  const lookups = declare.counter(
    'potluck_gateway_response_cache_lookups_total',
    'Client queries looked up in the response cache, by result: hit, miss, not-serving (no event stream)',
    ['result'],
  );
  declare.reading(
    'potluck_gateway_response_cache_bytes',
    'Estimated bytes the response cache holds (at most half of ENTITY_CACHE_MAX_BYTES)',
    probe.bytes,
  );
  declare.reading('potluck_gateway_response_cache_entries', 'Responses the response cache holds', probe.entries);
  for (const result of ['hit', 'miss', 'not-serving'] as const) lookups.labels(result).inc(0);
  return { lookedUp: (result) => lookups.labels(result).inc() };
}

export const NO_RESPONSE_METRICS: ResponseCacheMetrics = { lookedUp: () => undefined };
