import { afterAll, beforeAll, expect } from 'vitest';
import { graphqlRequest, parsePrometheusText, sampleValue, signInAt, waitFor } from '@potluck/testing';
import { stopService, type ServiceProcess } from '../scripts/stack.js';
import { startAnotherGateway, useStackWithGatewayBrokerLink } from './stack.js';

export const CREATE = `mutation($title: String!) { createRecipe(input: { title: $title, timeMinutes: 10, price: "5" }) { id } }`;
export const UPDATE = `mutation($id: ID!, $title: String!) { updateRecipe(id: $id, input: { title: $title }) { id } }`;
export const DELETE_RECIPE = `mutation($id: ID!) { deleteRecipe(id: $id) }`;
export const ADD_COMMENT = `mutation($recipeId: ID!, $text: String!) { addComment(input: { recipeId: $recipeId, text: $text }) { id } }`;
export const DELETE_COMMENT = `mutation($id: ID!) { deleteComment(id: $id) }`;

/** A comment with its recipe's title: the title is an `_entities` fetch from recipes, which the cache serves. */
export const COMMENT_VIEW = `query($id: ID!) { comment(id: $id) { text recipe { title } } }`;
/** A comment's recipe's count: through `_entities` from recipes, where `commentCount` must not be cached. */
export const COUNT_VIA_COMMENT = `query($id: ID!) { comment(id: $id) { recipe { commentCount } } }`;
/** A recipe with its comments: the comments are an `_entities` fetch from comments, which the cache serves. */
export const RECIPE_VIEW = `query($id: ID!) {
  recipe(id: $id) { title commentCount comments(first: 10) { totalCount edges { node { text author { name } } } } }
}`;
/** Distinct pages of the recipes whose title holds `$token`, each with its comments. */
export const PAGE = `query($token: String!, $after: String) {
  recipes(first: 2, after: $after, filter: { titleContains: $token }) {
    pageInfo { hasNextPage endCursor }
    edges { node { id title comments(first: 5) { totalCount edges { node { text } } } } }
  }
}`;

export type CommentView = { comment: { text: string; recipe: { title: string } | null } | null };
export type RecipeView = {
  recipe: {
    title: string;
    commentCount: number;
    comments: { totalCount: number; edges: Array<{ node: { text: string } }> };
  } | null;
};

/** One operation that must succeed. */
export async function ok<Data>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const response = await graphqlRequest<Data>(url, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

export const textsOf = (view: RecipeView) => view.recipe?.comments.edges.map(({ node }) => node.text) ?? [];

async function metricsOf(gatewayUrl: string) {
  return parsePrometheusText(await (await fetch(new URL('/metrics', gatewayUrl))).text());
}

/** Subgraph fetches a gateway made (every outcome), its entity cache's hits, and the tags events dropped. */
export async function countersOf(gatewayUrl: string) {
  const families = await metricsOf(gatewayUrl);
  const fetches = (subgraph: string) =>
    ['ok', 'error', 'timeout', 'unavailable']
      .map(
        (outcome) =>
          sampleValue(families, 'potluck_gateway_subgraph_request_duration_seconds_count', { subgraph, outcome }) ?? 0,
      )
      .reduce((sum, value) => sum + value, 0);
  const lookups = (subgraph: string, result: string) =>
    sampleValue(families, 'potluck_gateway_entity_cache_lookups_total', { subgraph, result }) ?? 0;
  return {
    recipes: fetches('recipes'),
    comments: fetches('comments'),
    hits: lookups('recipes', 'hit') + lookups('comments', 'hit'),
    serving: sampleValue(families, 'potluck_gateway_entity_cache_serving') ?? 0,
    eventTags: sampleValue(families, 'potluck_gateway_entity_cache_invalidations_total', { source: 'event' }) ?? 0,
  };
}

/**
 * Waits until the events of a test's writes reached `gatewayUrl`'s cache: `tags` more dropped by events than
 * `since` (a reading of `countersOf` before the writes). A write's event evicts what it names when it arrives,
 * after the mutation already did and maybe after a read cached it anew, so a test that counts hits waits for it.
 * The count is the gateway's, not the test's: events of an earlier test still on their way count too.
 */
export async function eventsArrived(gatewayUrl: string, since: { eventTags: number }, tags: number) {
  await waitFor(async () => ((await countersOf(gatewayUrl)).eventTags >= since.eventTags + tags ? true : undefined), {
    what: `${tags} more tags dropped by events at ${gatewayUrl}`,
  });
}

/** Differences of two readings of `countersOf`. */
export function delta(before: Awaited<ReturnType<typeof countersOf>>, after: typeof before) {
  return {
    recipes: after.recipes - before.recipes,
    comments: after.comments - before.comments,
    hits: after.hits - before.hits,
  };
}

/** A gateway's response cache lookups by result (hit, miss, not-serving). */
export async function responseLookupsOf(gatewayUrl: string) {
  const families = await metricsOf(gatewayUrl);
  const lookups = (result: string) =>
    sampleValue(families, 'potluck_gateway_response_cache_lookups_total', { result }) ?? 0;
  return { hit: lookups('hit'), miss: lookups('miss'), notServing: lookups('not-serving') };
}

/**
 * A stack with two caching gateways over the same subgraphs and broker prefix, both with
 * `env`: A (`stack.gatewayUrl`) reads its events through `proxy`, which the tests cut; B
 * (`b()`) reads them directly. Ready once both caches serve.
 */
export function useTwoCachingGateways(env: Record<string, string>) {
  const { stack, prefix, brokerLink: proxy } = useStackWithGatewayBrokerLink(env);
  let second: ServiceProcess | undefined;
  let url = '';
  let forgetB: () => void = () => undefined;
  beforeAll(async () => {
    ({ url, service: second } = await startAnotherGateway(stack, prefix, 'gateway B', env));
    forgetB = signInAt(url, stack.identities);
    for (const gateway of [stack.gatewayUrl, url]) {
      await waitFor(async () => ((await countersOf(gateway)).serving === 1 ? true : undefined), {
        timeoutMs: 30_000,
        what: `the entity cache of ${gateway} to serve`,
      });
    }
  });
  afterAll(async () => {
    forgetB();
    if (second) expect(await stopService(second)).toBe(0);
  });
  return { stack, proxy, a: () => stack.gatewayUrl, b: () => url };
}
