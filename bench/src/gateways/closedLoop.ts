import { Pool } from 'undici';
import { GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { FLOOR_ENTITIES_QUERY, body, floorRecipesQuery, isGraphQLSuccess } from './queries.js';
import type { LoadSample } from './loadSample.js';

/** One request as a client sees it: resolves true on success, false (or throws) on an error. */
type Exchange = () => Promise<boolean>;

/**
 * `connections` workers, each sending its next request as soon as the last one finished,
 * for `seconds` (and never more than `maxRequests` in all): autocannon's model, but a
 * "request" may be several HTTP calls, which autocannon cannot chain across two servers.
 */
export async function runClosedLoop(
  exchange: Exchange,
  connections: number,
  seconds: number,
  maxRequests = Math.ceil(seconds * 50_000),
): Promise<LoadSample> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && sent < maxRequests) {
      sent += 1;
      const start = performance.now();
      const ok = await exchange().catch(() => false);
      if (ok) latenciesMs.push(performance.now() - start);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { requests: latenciesMs.length, errors, seconds: (performance.now() - started) / 1000, latenciesMs };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One POST through a keep-alive pool; throws on any status but 200, with the start of the answer. */
export async function post(pool: Pool, path: string, payload: string, headers = JSON_HEADERS): Promise<string> {
  const response = await pool.request({ path, method: 'POST', headers, body: payload });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${text.slice(0, 200)}`);
  return text;
}

/** Keep-alive pools (one connection per worker) for the origins of the given GraphQL URLs. */
export function openPools(urls: string[], connections: number): { pools: Pool[]; close(): Promise<void> } {
  const pools = urls.map((url) => new Pool(new URL(url).origin, { connections, pipelining: 1 }));
  return { pools, close: async () => void (await Promise.all(pools.map((pool) => pool.close()))) };
}

/** One POST of a fixed body to a gateway, through the same client as the floor (for a like-for-like overhead). */
export function gatewayExchange(pool: Pool, url: string, payload: string): Exchange {
  const path = new URL(url).pathname;
  return async () => isGraphQLSuccess(await post(pool, path, payload));
}

export interface RecipesPage {
  data: { recipes: { edges: Array<{ node: Record<string, unknown> & { id: string } }> } };
}

interface EntitiesAnswer {
  data?: { _entities: Array<{ comments: unknown } | null> };
  errors?: unknown;
}

/** A subgraph call's headers: JSON and the gateway credential, signed (and cached) as a gateway does. */
export async function signed(credential: (subgraph: string) => Promise<string>, subgraph: string) {
  return { ...JSON_HEADERS, [GATEWAY_CREDENTIAL_HEADER]: await credential(subgraph) };
}

/**
 * The floor's page: what a perfect gateway does for the page query, and nothing else. The
 * recipes page from the recipes subgraph, then one `_entities` batch for its comments, each
 * call signed with the gateway credential as every gateway here signs it, merged into the
 * response a gateway would send; undefined when the comments call failed.
 */
export function floorPage(
  recipes: Pool,
  comments: Pool,
  urls: { recipes: string; comments: string },
  credential: (subgraph: string) => Promise<string>,
  first = 20,
) {
  const recipesPath = new URL(urls.recipes).pathname;
  const commentsPath = new URL(urls.comments).pathname;
  const pageBody = body(floorRecipesQuery(first));
  return async (): Promise<RecipesPage | undefined> => {
    const page = JSON.parse(
      await post(recipes, recipesPath, pageBody, await signed(credential, 'recipes')),
    ) as RecipesPage;
    const nodes = page.data.recipes.edges.map((edge) => edge.node);
    const representations = nodes.map((node) => ({ __typename: 'Recipe', id: node.id }));
    const entitiesBody = body(FLOOR_ENTITIES_QUERY, { representations });
    const answer = JSON.parse(
      await post(comments, commentsPath, entitiesBody, await signed(credential, 'comments')),
    ) as EntitiesAnswer;
    const entities = answer.data?._entities;
    if (answer.errors || !entities || entities.length !== nodes.length) return undefined;
    nodes.forEach((node, index) => (node.comments = entities[index]?.comments));
    return page;
  };
}

/** The floor as a request: its page, serialized as a gateway must. */
export function floorExchange(...args: Parameters<typeof floorPage>): Exchange {
  const page = floorPage(...args);
  return async () => {
    const merged = await page();
    return merged !== undefined && JSON.stringify(merged).length > 0;
  };
}
