import { LRUCache } from 'lru-cache';
import { NO_METRICS, type EntityCacheMetrics } from './cacheMetrics.js';
import { everyEntityOf, type EntityTag } from './invalidation.js';

export interface EntityCacheSettings {
  /** Estimated bytes of answers and keys held at most; the least recently used go first. */
  maxBytes: number;
  /** An answer is dropped this long after it was fetched even if no event said it changed. */
  ttlMs: number;
}

interface Entry {
  json: string;
  tag: EntityTag;
  /** The invalidation sequence when its fetch started: any later invalidation of its tag makes it stale. */
  since: number;
}

/** Invalidations remembered by tag; when one is evicted, every answer fetched before it is treated as stale. */
const REMEMBERED_INVALIDATIONS = 50_000;
/** Per entry beyond its text: the entry object, the LRU's bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Subgraph answers for one entity each, valid until an invalidation of their entity (or its
 * whole type) that happened after their fetch started, a flush, or the TTL. Invalidations are
 * numbered; each answer carries the number current when its fetch started, so an answer that
 * was on its way while its entity changed is never served (nor stored). It serves nothing
 * while `serving` is off: the gateway is not reading the event stream, so nothing proves an
 * answer fresh; turning it on or off flushes.
 */
export class EntityCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly invalidatedAt: LRUCache<EntityTag, number>;
  private sequence = 0;
  /** Answers whose fetch started before this are stale (a flush, or a forgotten invalidation). */
  private floor = 0;
  private on = false;
  private readonly flushListeners: Array<() => void> = [];

  constructor(
    settings: EntityCacheSettings,
    private readonly metrics: EntityCacheMetrics = NO_METRICS,
  ) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: settings.maxBytes,
      sizeCalculation: (entry, key) => 2 * (entry.json.length + key.length) + ENTRY_OVERHEAD_BYTES,
      ttl: settings.ttlMs,
      updateAgeOnGet: false,
    });
    this.invalidatedAt = new LRUCache<EntityTag, number>({
      max: REMEMBERED_INVALIDATIONS,
      // Outlives every answer fetched before it: those were stored before it, so they expire first.
      ttl: settings.ttlMs + 1000,
      dispose: (at, _tag, reason) => {
        if (reason === 'evict') this.floor = Math.max(this.floor, at);
      },
    });
  }

  get serving(): boolean {
    return this.on;
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether answers may be served and stored; any change flushes, so nothing from before a gap in the events survives it. */
  setServing(on: boolean): void {
    if (on === this.on) return;
    this.on = on;
    this.flush();
  }

  /** Taken before a fetch and given to `set` with its answers. */
  mark(): number {
    return this.sequence;
  }

  get(key: string, tag: EntityTag): string | undefined {
    if (!this.on) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.tag === tag && this.freshSince(entry.since, tag)) return entry.json;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, tag: EntityTag, json: string, since: number): void {
    if (this.on && this.freshSince(since, tag)) this.entries.set(key, { json, tag, since });
  }

  /** Whether an answer about every one of `tags`, fetched after `since`, is still fresh: served only while serving. */
  fresh(since: number, tags: Iterable<EntityTag>): boolean {
    if (!this.on || since < this.floor) return false;
    for (const tag of tags) if (!this.freshSince(since, tag)) return false;
    return true;
  }

  /** Called after every flush, for stores kept beside this one (`ResponseCache`). */
  onFlush(listener: () => void): void {
    this.flushListeners.push(listener);
  }

  invalidate(tags: readonly EntityTag[], source: 'event' | 'mutation'): void {
    if (tags.length === 0) return;
    const at = ++this.sequence;
    for (const tag of tags) this.invalidatedAt.set(tag, at);
    this.metrics.invalidated(source, tags.length);
  }

  flush(): void {
    this.floor = ++this.sequence;
    this.entries.clear();
    this.invalidatedAt.clear();
    this.metrics.invalidated('flush', 1);
    for (const listener of this.flushListeners) listener();
  }

  private freshSince(since: number, tag: EntityTag): boolean {
    if (since < this.floor) return false;
    const type = tag.slice(0, tag.indexOf(':'));
    return (this.invalidatedAt.get(tag) ?? 0) <= since && (this.invalidatedAt.get(everyEntityOf(type)) ?? 0) <= since;
  }
}
