import type { GatewayGraphQLResponse } from '../subgraphAnswers.js';
import { memberOfKey, mergedKey } from './mergedQuery.js';

type GraphQLErrorJson = NonNullable<GatewayGraphQLResponse['errors']>[number];

/**
 * Each slot's answer from a merged one: its root fields under their own names, the errors on
 * its own paths (without `locations`, which point into text no member sent; Apollo Gateway
 * drops a subgraph error's locations anyway). Undefined when the answer cannot be split
 * without one request seeing another's failure: a null `data`, an error on no slot's path, or
 * a shape no subgraph sends. The answer's `extensions` are not passed on: Potluck's subgraphs
 * send none, and a fetch Apollo Gateway traces for usage reporting (`ftv1`) is never merged.
 */
export function splitAnswer(
  response: GatewayGraphQLResponse,
  rootKeys: readonly string[],
  slots: number,
): GatewayGraphQLResponse[] | undefined {
  const { data, errors } = response as { data?: unknown; errors?: unknown };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  if (errors !== undefined && !Array.isArray(errors)) return undefined;
  const answers: GatewayGraphQLResponse[] = [];
  for (let slot = 0; slot < slots; slot += 1) {
    answers.push({ data: ownFields(data as Record<string, unknown>, rootKeys, slot) });
  }
  for (const error of (errors ?? []) as unknown[]) {
    if (typeof error !== 'object' || error === null) return undefined;
    const rest: Record<string, unknown> = { ...error };
    const { path } = rest;
    delete rest.locations;
    const [first, ...within] = Array.isArray(path) ? path : [];
    const member = typeof first === 'string' ? memberOfKey(first, rootKeys) : undefined;
    const own = member && answers[member.index];
    if (!member || !own) return undefined;
    own.errors = [...(own.errors ?? []), { ...rest, path: [member.key, ...within] } as unknown as GraphQLErrorJson];
  }
  return answers;
}

/** One slot's root fields, under their own names (a `__proto__` alias included, as an own key). */
function ownFields(data: Record<string, unknown>, rootKeys: readonly string[], slot: number): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [keyIndex, key] of rootKeys.entries()) {
    const merged = mergedKey(slot, keyIndex);
    if (!Object.hasOwn(data, merged)) continue;
    Object.defineProperty(own, key, { value: data[merged], enumerable: true, writable: true, configurable: true });
  }
  return own;
}
