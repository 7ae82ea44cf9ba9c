import { GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { REQUEST_ID_HEADER } from '@potluck/service';
import type { SubgraphCall, SubgraphRequestInit } from './subgraphCall.js';

/**
 * Apollo Gateway serializes every subgraph call as `{"query":"<operation>",…}`. Only a body
 * that visibly starts with a query operation is shared; anything else (a mutation, or a body
 * in another shape) goes out on its own, so a change in serialization can never merge writes.
 */
const QUERY = /^\{"query":"(?:query\b|\{)/;

/**
 * What makes two subgraph calls the same call: the URL, the body and every header but the
 * request id, the gateway credential (so the viewer) included. A call without one is never shared.
 */
export function dedupeKeyOf(url: string, init: SubgraphRequestInit = {}): string | undefined {
  if (init.method !== 'POST' || typeof init.body !== 'string' || !QUERY.test(init.body)) return undefined;
  // The credential names the viewer: without it in the key, one user's answer could reach another.
  const names = Object.keys(init.headers ?? {}).map((name) => name.toLowerCase());
  if (!names.includes(GATEWAY_CREDENTIAL_HEADER)) return undefined;
  const headers = headerLines(
    Object.entries(init.headers ?? {}).filter(([name]) => name.toLowerCase() !== REQUEST_ID_HEADER),
  );
  return `${url}\n${headers.join('\n')}\n${init.body}`;
}

/** Headers as `name:value` lines, names lowercased, in one order whatever order they came in. */
export function headerLines(headers: Array<[string, string]>): string[] {
  return headers.map(([name, value]) => `${name.toLowerCase()}:${value}`).sort();
}

function requestIdHeaderOf(init: SubgraphRequestInit): string | undefined {
  return Object.entries(init.headers ?? {}).find(([name]) => name.toLowerCase() === REQUEST_ID_HEADER)?.[1];
}

export interface DedupeOptions {
  /** Told, in the joining caller's context, the request id of the call it joined. */
  onJoin?: (requestIdOfCall: string | undefined) => void;
}

/**
 * Shares one subgraph call among concurrent identical ones: while a query with the same
 * URL, body and credentials is in flight, later callers wait for its answer instead of
 * sending their own (Hive Gateway's HTTP executor does the same by default). The answer is
 * plain text that each caller parses for itself, so no two client requests ever share
 * objects. It is not a cache: the next call after the answer goes to the subgraph again.
 * The shared call carries the request id of the request that sent it; `onJoin` tells the
 * others which one that was.
 */
export function dedupeInflight(call: SubgraphCall, { onJoin }: DedupeOptions = {}): SubgraphCall {
  const inflight = new Map<string, { answer: ReturnType<SubgraphCall>; requestId: string | undefined }>();
  return (url, init) => {
    const key = dedupeKeyOf(url, init);
    if (key === undefined) return call(url, init);
    const shared = inflight.get(key);
    if (shared) {
      onJoin?.(shared.requestId);
      return shared.answer;
    }
    const answer = call(url, init).finally(() => inflight.delete(key));
    inflight.set(key, { answer, requestId: requestIdHeaderOf(init ?? {}) });
    return answer;
  };
}
