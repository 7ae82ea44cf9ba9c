import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@potluck/service';
import type { GraphQLSchema } from 'graphql';
import type { Registry } from 'prom-client';
import type { GatewayContext } from '../context.js';
import type { StreamReader } from '../subscriptions/streamReader.js';
import { entityCacheMetrics, NO_METRICS, responseCacheMetrics, type EntityCacheMetrics } from './cacheMetrics.js';
import { cachedFetch } from './cachedFetch.js';
import { EntityCache, type EntityCacheSettings } from './entityCache.js';
import { tagsOfEvent } from './invalidation.js';
import { ResponseCache } from './responseCache.js';
import { responseCachePlugin } from './responsePlugin.js';
import { forgetDescriptions } from './subgraphOperation.js';

export type { Send } from './cachedFetch.js';

/** The gateway's entity cache: one per process, shared by every subgraph's data source. */
export interface GatewayEntityCache {
  /** The fetch of one subgraph through the cache. */
  fetchFor(subgraph: string): ReturnType<typeof cachedFetch>;
  /**
   * Follows the event stream: invalidates from its events, and serves only while it is read
   * (and, with `streamDeadlineMs`, only while its own marks come back in time). Returns a
   * function that stops watching the marks, for shutdown.
   */
  follow(events: Pick<StreamReader, 'onEntry' | 'onLink' | 'watchLiveness'>): () => void;
  /** Flushes whenever the gateway loads a supergraph: a new one may change what the same query text answers. */
  followSupergraph(gateway: Pick<ApolloGateway, 'onSchemaLoadOrUpdate'>): void;
  /** Answers repeated client queries whole (`responseCache.ts`); none when responses are not kept. */
  plugins: Array<ApolloServerPlugin<GatewayContext>>;
}

export interface GatewayEntityCacheSettings extends EntityCacheSettings {
  /** Whether whole responses are kept too (off unless set); the two stores then share `maxBytes` half and half. */
  responses?: boolean;
  /** How long an own mark may take to come back from the stream before the cache stops serving; none: not watched. */
  streamDeadlineMs?: number;
}

export function createEntityCache(
  settings: GatewayEntityCacheSettings,
  registry: Registry | undefined,
  logger: Logger,
): GatewayEntityCache {
  // The probes run at scrape time, after `store` exists.
  const metrics: EntityCacheMetrics = registry
    ? entityCacheMetrics(registry, {
        bytes: () => store.bytes,
        entries: () => store.size,
        serving: () => store.serving,
      })
    : NO_METRICS;
  const share = settings.responses ? Math.floor(settings.maxBytes / 2) : settings.maxBytes;
  const store: EntityCache = new EntityCache({ ...settings, maxBytes: share }, metrics);
  const responses = settings.responses ? responseCache(share, settings.ttlMs, store, registry) : undefined;
  let apiSchema: GraphQLSchema | undefined;
  return {
    fetchFor: (subgraph) => cachedFetch({ cache: store, metrics, subgraph, responses, schema: () => apiSchema }),
    follow(events) {
      const unwatch = settings.streamDeadlineMs ? events.watchLiveness(settings.streamDeadlineMs) : () => undefined;
      events.onEntry((entry) => {
        if (entry.kind === 'event') store.invalidate(tagsOfEvent(entry.event), 'event');
        // An entry it cannot read may have been a change: what it cannot rule out, it drops.
        else if (entry.kind === 'skipped') store.flush();
      });
      events.onLink((linked) => {
        if (linked === store.serving) return;
        store.setServing(linked);
        logger.info(
          { serving: linked },
          linked ? 'entity cache serving: reading the event stream' : 'entity cache off until the event stream is back',
        );
      });
      return unwatch;
    },
    followSupergraph(gateway) {
      gateway.onSchemaLoadOrUpdate((loaded) => {
        apiSchema = loaded.apiSchema;
        forgetDescriptions();
        store.flush();
      });
    },
    plugins: responses ? [responseCachePlugin(responses)] : [],
  };
}

function responseCache(maxBytes: number, ttlMs: number, entities: EntityCache, registry: Registry | undefined) {
  // The probes run at scrape time, after `responses` exists.
  const metrics =
    registry && responseCacheMetrics(registry, { bytes: () => responses.bytes, entries: () => responses.size });
  const responses: ResponseCache = new ResponseCache({ maxBytes, ttlMs }, entities, metrics);
  return responses;
}
