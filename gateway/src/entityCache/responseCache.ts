import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { NO_RESPONSE_METRICS, type ResponseCacheMetrics } from './cacheMetrics.js';
import type { EntityCache } from './entityCache.js';
import type { EntityTag } from './invalidation.js';

export type ResponseData = Record<string, unknown>;

interface Entry {
  data: ResponseData;
  tags: readonly EntityTag[];
  since: number;
  bytes: number;
}

/** What one client query has used so far: the tags of every subgraph answer, and whether each may be kept. */
interface Recording {
  key: string;
  since: number;
  tags: Set<EntityTag>;
  keepable: boolean;
}

export interface ResponseCacheSettings {
  /** Estimated bytes of responses and keys held at most; the least recently used go first. */
  maxBytes: number;
  ttlMs: number;
}

/** Per entry beyond its text: the entry, its tag list, the LRU's bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 400;
const TAG_BYTES = 100;

/** Which response a client query would get: its text (by hash), the operation chosen, its variables. */
export function responseKeyOf(queryHash: string, operationName: string | null, variables: unknown): string {
  return createHash('sha256')
    .update(`${queryHash}\n${operationName ?? ''}\n${JSON.stringify(variables ?? {})}`)
    .digest('base64url');
}

/** Frozen: a kept response is handed to every request that asks the same, so none may change it. */
function deepFrozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Whole responses to client queries, beside the entity cache and invalidated by the same tags:
 * a response is kept when every subgraph answer it used could be (`note`), and it is about the
 * union of their tags (a page of recipes: every list of recipes, and each recipe whose comments
 * it fetched). It is served while no invalidation of any of them, and no flush, came after the
 * request started, and only while the entity cache serves (it reads the event stream). A hit
 * costs no query plan, no subgraph call and no result shaping.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly recordings = new WeakMap<object, Recording>();

  constructor(
    settings: ResponseCacheSettings,
    private readonly entities: EntityCache,
    private readonly metrics: ResponseCacheMetrics = NO_RESPONSE_METRICS,
  ) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry) => entry.bytes,
      ttl: settings.ttlMs,
      updateAgeOnGet: false,
    });
    entities.onFlush(() => this.entries.clear());
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The kept response to this query, or undefined. A miss starts recording what the request
   * (`context`) uses, so that `keep` can keep its response.
   */
  lookUp(context: object, key: string): ResponseData | undefined {
    if (!this.entities.serving) {
      this.metrics.lookedUp('not-serving');
      return undefined;
    }
    const entry = this.entries.get(key);
    if (entry && this.entities.fresh(entry.since, entry.tags)) {
      this.metrics.lookedUp('hit');
      return entry.data;
    }
    if (entry) this.entries.delete(key);
    this.metrics.lookedUp('miss');
    this.recordings.set(context, { key, since: this.entities.mark(), tags: new Set(), keepable: true });
    return undefined;
  }

  /**
   * A subgraph answer the request is using: what it is about, or undefined when it may not be
   * kept. Answers the request's mark (for the fetch's sharing key, see `CACHE_MARK_HEADER`)
   * when its response is being recorded.
   */
  note(context: object | undefined, tags: Iterable<EntityTag> | undefined): number | undefined {
    const recording = context && this.recordings.get(context);
    if (!recording) return undefined;
    if (tags === undefined) recording.keepable = false;
    else for (const tag of tags) recording.tags.add(tag);
    return recording.since;
  }

  /** Keeps the request's response when it has data, no errors, only keepable answers, and none of them changed since it started. */
  keep(context: object, result: { data?: ResponseData | null; errors?: readonly unknown[] } | undefined): void {
    const recording = this.recordings.get(context);
    if (!recording) return;
    this.recordings.delete(context);
    const data = result?.data;
    if (!recording.keepable || !data || result.errors?.length) return;
    if (!this.entities.fresh(recording.since, recording.tags)) return;
    const bytes = 2 * (JSON.stringify(data).length + recording.key.length) + TAG_BYTES * recording.tags.size;
    this.entries.set(recording.key, {
      data: deepFrozen(data),
      tags: [...recording.tags],
      since: recording.since,
      bytes: bytes + ENTRY_OVERHEAD_BYTES,
    });
  }
}
