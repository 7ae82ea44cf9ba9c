import { AsyncResource } from 'node:async_hooks';
import { currentRequest, type RequestFacts } from '@potluck/service';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayGraphQLResponse } from '../subgraphAnswers.js';
import { noteSharedCall } from '../subgraphPools.js';
import { LONGEST_MERGEABLE_TEXT, memberVariable, mergeableQuery, type MergeableQuery } from './mergedQuery.js';
import { splitAnswer } from './splitAnswer.js';

/** A planned fetch as Apollo Gateway hands it to a data source. */
export interface PlannedFetch {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** Sends one body to the subgraph, answering or throwing as a lone call does; `requestId` is the one it carries. */
export type SendBody = (body: string, requestId: string | undefined) => Promise<GatewayGraphQLResponse>;

/**
 * Failures of the subgraph more than of the query: each fetch of the call is told, and nothing
 * is sent again, since more calls to an unreachable, busy or overloaded subgraph only feed the
 * trouble. A timeout may also be one slow query's, so it halves the merge of that text for a
 * while: a query that is slow on purpose delays fewer others each time.
 */
const SUBGRAPH_FAILURES = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_BUSY', 'SUBGRAPH_TIMEOUT']);

/** A subgraph's refusals of a query's size: merging may have caused them. */
const SIZE_REFUSALS = new Set(['QUERY_TOO_COSTLY', 'TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES', 'PAYLOAD_TOO_LARGE']);

/**
 * After a merged call of a text failed as a whole, its fetches go alone for this long: a
 * request that fails on purpose (a bad cursor nulls a non-null root) cannot make every batch
 * it joins cost a second round trip, only bring that text back to one call per fetch.
 */
export const MERGE_COOLDOWN_MS = 5_000;

/** A size refusal or a timeout halves how many fetches of that text are merged, for this long. */
export const SMALLER_MERGES_MS = 60_000;

function codeOf(error: unknown): string | undefined {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The same failure for another request: no two client requests share an error object. */
function copyOf(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  return new GraphQLError(error.message, { extensions: { ...error.extensions } });
}

interface Member {
  variables: Record<string, unknown> | undefined;
  facts: RequestFacts | undefined;
  resolve(response: GatewayGraphQLResponse): void;
  reject(error: unknown): void;
}

/** A planned query text as the batcher knows it: how it merges, and with how many at most. */
interface KnownQuery {
  query: MergeableQuery;
  /** Lowered for `SMALLER_MERGES_MS` when the subgraph refuses a merged query's size. */
  maxFetches: number;
  smallerUntil: number;
  /** Which halving set the limit now, so undoing one never undoes a later one. */
  halving?: object;
  /** Until then (`performance.now()`), its fetches go alone: a merged call of it failed as a whole. */
  aloneUntil: number;
}

interface Batch {
  fetch: PlannedFetch;
  known: KnownQuery;
  /** The first member's way to send: all members' headers are the same but for the request id. */
  send: SendBody;
  requestId: string | undefined;
  /** Sending runs in the first member's async context, so the call is in its trace. */
  inLeadContext: AsyncResource;
  members: Member[];
}

/** A batch's members grouped by their variables: members asking the same thing share one slot of the merged query. */
interface Slots {
  variables: Array<Record<string, unknown> | undefined>;
  /** For each member, its slot. */
  ofMember: number[];
}

function slotsOf(members: Member[]): Slots {
  const byKey = new Map<string, number>();
  const slots: Slots = { variables: [], ofMember: [] };
  for (const member of members) {
    const key = JSON.stringify(member.variables ?? null);
    let slot = byKey.get(key);
    if (slot === undefined) {
      slot = slots.variables.push(member.variables) - 1;
      byKey.set(key, slot);
    }
    slots.ofMember.push(slot);
  }
  return slots;
}

/** What the batcher tells its metrics. */
export interface BatchObserver {
  /** A call went out carrying this many distinct fetches (1: alone; identical fetches count once). */
  sent(fetches: number): void;
  /** A merged call failed in a way one fetch alone might not have: its fetches were sent again, each alone. */
  resent(fetches: number): void;
}

export interface SubgraphBatcherOptions {
  /** At most this many distinct fetches go out as one call; more start another batch. */
  maxFetches: number;
  /** How many planned query texts are remembered as mergeable or not. */
  knownQueries?: number;
  observer?: BatchObserver;
}

/**
 * Sends the planned queries that concurrent client requests make of one subgraph, with the
 * same text and the same headers (so the same viewer), as one call: each request's root fields
 * under aliases of its own and its variables renamed (`mergedQuery.ts`). The answer is split
 * back, every request getting its own data and the errors on its own paths. A fetch goes at
 * once while none of this batcher's calls is in flight (an idle subgraph: waiting would only
 * add latency); otherwise fetches are gathered until the event loop's next turn
 * (`setImmediate`). So one request at a time costs nothing, and under load requests that arrive
 * together share one HTTP request and one execution in the subgraph (its per-request loaders
 * batch their SQL across them).
 *
 * Whatever one request would not have met alone is never passed to the others: when the
 * merged call fails as a whole for any reason but the subgraph being unreachable, busy or late
 * (a null `data`, an error on no request's path, a size refusal, a broken answer), each fetch
 * is sent again alone, and that text goes unmerged for `MERGE_COOLDOWN_MS`.
 */
export class SubgraphBatcher {
  /** Batches gathering for the next turn, by headers key, then by query text. */
  private readonly gathering = new Map<string, Map<string, Batch>>();
  private readonly full: Batch[] = [];
  private readonly known: LRUCache<string, KnownQuery | false>;
  private flushScheduled = false;
  /** Calls this batcher has sent and not yet had answered: while there are none, a fetch goes at once. */
  private inFlight = 0;

  constructor(private readonly options: SubgraphBatcherOptions) {
    const parts = options.maxFetches;
    this.known = new LRUCache({
      max: options.knownQueries ?? 1000,
      // What the kept member parts of a text can grow to, so a few long texts cannot hold much memory.
      maxSize: 16 * 1024 * 1024,
      sizeCalculation: (known, text) => text.length + (known ? known.query.sizeFor(parts) : 0),
    });
  }

  /**
   * The answer to `fetch`, sent with others like it when it can be. `key` names the headers it
   * goes with but the request id; `send` sends a body with them.
   */
  fetch(
    fetch: PlannedFetch,
    key: string,
    requestId: string | undefined,
    send: SendBody,
  ): Promise<GatewayGraphQLResponse> {
    const alone = () => this.sent(1, send(JSON.stringify(fetch), requestId));
    const known = this.mergeable(fetch);
    if (!known) return alone();
    let byQuery = this.gathering.get(key);
    let batch = byQuery?.get(fetch.query);
    if (batch && batch.fetch.operationName !== fetch.operationName) return alone();
    if (!batch) {
      // Nothing of ours in flight: the subgraph is idle, so waiting for company would only add a turn.
      if (this.inFlight === 0) return alone();
      if (!byQuery) {
        byQuery = new Map();
        this.gathering.set(key, byQuery);
      }
      const inLeadContext = new AsyncResource('SubgraphBatch');
      batch = { fetch, known, send, requestId, inLeadContext, members: [] };
      byQuery.set(fetch.query, batch);
      this.scheduleFlush();
    }
    const joining = batch;
    const answer = new Promise<GatewayGraphQLResponse>((resolve, reject) => {
      joining.members.push({ variables: fetch.variables, facts: currentRequest(), resolve, reject });
    });
    if (batch.members.length >= known.maxFetches) {
      byQuery?.delete(fetch.query);
      this.full.push(batch);
    }
    return answer;
  }

  /** How `fetch`'s text merges now, or undefined while it goes alone. */
  private mergeable(fetch: PlannedFetch): KnownQuery | undefined {
    // Anything else in the request (extensions) would have to be merged too: such a fetch goes alone.
    for (const name in fetch) {
      const value = fetch[name as keyof PlannedFetch];
      if (value !== undefined && name !== 'query' && name !== 'variables' && name !== 'operationName') return undefined;
    }
    // A long text is never kept, not even as unmergeable: it could be a client's megabyte literal.
    if (fetch.query.length > LONGEST_MERGEABLE_TEXT) return undefined;
    let known = this.known.get(fetch.query);
    if (known === undefined) {
      const query = mergeableQuery(fetch.query);
      known = query ? { query, maxFetches: this.options.maxFetches, smallerUntil: 0, aloneUntil: 0 } : false;
      this.known.set(fetch.query, known);
    }
    if (!known) return undefined;
    if (known.aloneUntil > 0 || known.smallerUntil > 0) {
      const now = performance.now();
      if (now < known.aloneUntil) return undefined;
      if (known.smallerUntil > 0 && now >= known.smallerUntil) {
        known.maxFetches = this.options.maxFetches;
        known.smallerUntil = 0;
      }
    }
    return known.maxFetches >= 2 ? known : undefined;
  }

  /** Counts a call that went out with `fetches` distinct fetches, and keeps it in flight until answered. */
  private sent(fetches: number, call: Promise<GatewayGraphQLResponse>): Promise<GatewayGraphQLResponse> {
    this.options.observer?.sent(fetches);
    this.inFlight += 1;
    const settled = () => {
      this.inFlight -= 1;
    };
    call.then(settled, settled);
    return call;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batches = [...this.full];
      for (const byQuery of this.gathering.values()) batches.push(...byQuery.values());
      this.full.length = 0;
      this.gathering.clear();
      for (const batch of batches) {
        batch.inLeadContext.runInAsyncScope(() => {
          // Never an unhandled rejection: whatever went wrong, every member still hears of it.
          this.flush(batch).catch((error: unknown) => this.failAll(batch.members, error));
        });
        batch.inLeadContext.emitDestroy();
      }
    });
  }

  private async flush(batch: Batch): Promise<void> {
    for (const member of batch.members) noteSharedCall(batch.requestId, member.facts);
    const slots = slotsOf(batch.members);
    const count = slots.variables.length;
    if (count === 1) {
      await this.answerAlone(batch, slots, 0);
      return;
    }
    let response: GatewayGraphQLResponse;
    try {
      response = await this.sent(count, batch.send(this.mergedBody(batch, slots), batch.requestId));
    } catch (error) {
      const code = codeOf(error);
      if (code === 'SUBGRAPH_TIMEOUT') this.mergeLess(batch.known, count);
      if (code !== undefined && SUBGRAPH_FAILURES.has(code)) return this.failAll(batch.members, error);
      const undo = code !== undefined && SIZE_REFUSALS.has(code) ? this.mergeLess(batch.known, count) : undefined;
      await this.answerEachAlone(batch, slots, undo);
      return;
    }
    const answers = splitAnswer(response, batch.known.query.rootKeys, count);
    if (!answers) {
      await this.answerEachAlone(batch, slots);
      return;
    }
    const answered = new Set<number>();
    batch.members.forEach((member, index) => {
      const slot = slots.ofMember[index] as number;
      const own = answers[slot] as GatewayGraphQLResponse;
      // Members with the same variables get copies, so no two client requests share objects.
      member.resolve(answered.has(slot) ? structuredClone(own) : own);
      answered.add(slot);
    });
  }

  private mergedBody(batch: Batch, slots: Slots): string {
    const variables: Record<string, unknown> = {};
    slots.variables.forEach((slotVariables, slot) => {
      for (const name in slotVariables) variables[memberVariable(slot, name)] = slotVariables[name];
    });
    const { operationName } = batch.fetch;
    return JSON.stringify({ query: batch.known.query.textFor(slots.variables.length), variables, operationName });
  }

  /**
   * Merges at most half of `count` fetches of a text for a while; the returned undo restores
   * the limit before, for when a fetch turns out too big even alone (merging was not the cause).
   */
  private mergeLess(known: KnownQuery, count: number): () => void {
    const before = { maxFetches: known.maxFetches, smallerUntil: known.smallerUntil, halving: known.halving };
    const halving = {};
    known.maxFetches = Math.min(known.maxFetches, Math.floor(count / 2));
    known.smallerUntil = performance.now() + SMALLER_MERGES_MS;
    known.halving = halving;
    // Only this halving is undone: not one a later refusal or timeout made since.
    return () => {
      if (known.halving === halving) Object.assign(known, before);
    };
  }

  /** Sends every slot alone after a merged call failed, and keeps the text unmerged a while. */
  private async answerEachAlone(batch: Batch, slots: Slots, onSizeRefusedAlone?: () => void): Promise<void> {
    batch.known.aloneUntil = performance.now() + MERGE_COOLDOWN_MS;
    this.options.observer?.resent(slots.variables.length);
    await Promise.all(slots.variables.map((_, slot) => this.answerAlone(batch, slots, slot, onSizeRefusedAlone)));
  }

  /** Sends one slot's fetch as it was planned; every member of the slot gets its own copy of the answer. */
  private async answerAlone(batch: Batch, slots: Slots, slot: number, onSizeRefusedAlone?: () => void): Promise<void> {
    const members = batch.members.filter((_, index) => slots.ofMember[index] === slot);
    const { query, operationName } = batch.fetch;
    const variables = slots.variables[slot];
    try {
      const requestId = members[0]?.facts?.requestId ?? batch.requestId;
      const body = JSON.stringify({ query, variables, operationName });
      const response = await this.sent(1, batch.send(body, requestId));
      members.forEach((member, index) => member.resolve(index === 0 ? response : structuredClone(response)));
    } catch (error) {
      const code = codeOf(error);
      if (code !== undefined && SIZE_REFUSALS.has(code)) onSizeRefusedAlone?.();
      this.failAll(members, error);
    }
  }

  private failAll(members: Member[], error: unknown): void {
    members.forEach((member, index) => member.reject(index === 0 ? error : copyOf(error)));
  }
}
