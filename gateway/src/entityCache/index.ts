import type { ApolloGateway } from '@apollo/gateway';
import type { Logger } from '@potluck/service';
import type { Registry } from 'prom-client';
import type { StreamReader } from '../subscriptions/streamReader.js';
import { entityCacheMetrics, NO_METRICS, type EntityCacheMetrics } from './cacheMetrics.js';
import { cachedFetch } from './cachedFetch.js';
import { EntityCache, type EntityCacheSettings } from './entityCache.js';
import { tagsOfEvent } from './invalidation.js';

export type { Send } from './cachedFetch.js';

/** The gateway's entity cache: one per process, shared by every subgraph's data source. */
export interface GatewayEntityCache {
  /** The fetch of one subgraph through the cache. */
  fetchFor(subgraph: string): ReturnType<typeof cachedFetch>;
  /** Follows the event stream: invalidates from its events, and serves only while it is read. */
  follow(events: Pick<StreamReader, 'onEntry' | 'onLink'>): void;
  /** Flushes whenever the gateway loads a supergraph: a new one may change what the same query text answers. */
  followSupergraph(gateway: Pick<ApolloGateway, 'onSchemaLoadOrUpdate'>): void;
}

export function createEntityCache(
  settings: EntityCacheSettings,
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
  const store: EntityCache = new EntityCache(settings, metrics);
  return {
    fetchFor: (subgraph) => cachedFetch({ cache: store, metrics, subgraph }),
    follow(events) {
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
    },
    followSupergraph(gateway) {
      gateway.onSchemaLoadOrUpdate(() => store.flush());
    },
  };
}
